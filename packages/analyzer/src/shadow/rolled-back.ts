/**
 * What a transaction that is rolled back still leaves behind, for work done on the replay cursor in a transaction
 * rolled back after it (a rehearsal in place, the schema within a migration): the cursor must go on exactly as a
 * plain replay would.
 *  - Sequence positions: nextval() is never rolled back. A seeded row or a migration's INSERT moves a serial's
 *    sequence, and a later migration's rows would get other ids than in a plain replay. Positions are read before
 *    the transaction and the moved ones set back after it.
 *  - Session state that is not transactional: prepared statements of SQL's PREPARE (a later migration preparing
 *    the same name would fail) and session-level advisory locks. Rare: the cursor checks before each migration it
 *    replays and then opens a new session. Work in a rolled-back transaction always starts on a new session.
 */
import type pg from 'pg';

/** A sequence the replay role may read, by OID, with its position as `last_value is_called`. */
interface SequencePosition {
  oid: string;
  name: string;
  position: string;
}

/**
 * Every sequence the role can read (another session's temporary ones aside), with its qualified name for FROM. These
 * queries run in the session a migration ran in, whatever search_path it left: every operator and function is
 * qualified, so that none a migration defined can stand in.
 */
const SEQUENCES_SQL = `
  SELECT c.oid::pg_catalog.int8::pg_catalog.text AS oid, pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE c.relkind OPERATOR(pg_catalog.=) 'S'
     AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)
     AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
     -- In a CASE: the planner may test the privilege before the kind, and it fails on a table.
     AND CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT') END
   ORDER BY c.oid`;

/** Whether the session holds state a rollback does not undo. */
const SESSION_LEFTOVERS_SQL = `
  SELECT EXISTS (SELECT FROM pg_catalog.pg_prepared_statements WHERE from_sql)
      OR EXISTS (SELECT FROM pg_catalog.pg_locks WHERE locktype OPERATOR(pg_catalog.=) 'advisory' AND pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()) AS leftovers`;

/** The positions of the database's sequences, in two round trips (none when it has no sequence). */
export async function sequencePositions(client: pg.Client): Promise<SequencePosition[]> {
  const { rows } = await client.query<{ oid: string; name: string }>(SEQUENCES_SQL);
  if (rows.length === 0) return [];
  const positions = await positionsOf(client, rows);
  return rows.map((row, index) => ({ ...row, position: positions[index]! }));
}

/** Whether the session holds a prepared statement or an advisory lock that SQL (a migration, a rehearsal) left. */
export async function sessionHasLeftovers(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ leftovers: boolean }>(SESSION_LEFTOVERS_SQL);
  return rows[0]?.leftovers === true;
}

/**
 * After the rollback: sets every sequence of `before` that moved back where it was. Throws if one cannot be set
 * back: the cursor's database then no longer matches its history.
 */
export async function restoreSequences(client: pg.Client, before: SequencePosition[]): Promise<void> {
  const now = before.length > 0 ? await positionsOf(client, before) : [];
  const moved = before.filter((sequence, index) => now[index] !== sequence.position);
  if (moved.length === 0) return;
  const [values, called] = [moved.map(({ position }) => position.split(' ')[0]!), moved.map(({ position }) => position.split(' ')[1] === 'true')];
  await client.query(
    'SELECT pg_catalog.setval(s.oid::pg_catalog.regclass, s.value, s.called) FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.int8[]), pg_catalog.unnest($3::pg_catalog.bool[])) AS s(oid, value, called)',
    [moved.map(({ oid }) => oid), values, called],
  );
}

/** `last_value is_called` of each sequence, in one query. */
async function positionsOf(client: pg.Client, sequences: readonly { name: string }[]): Promise<string[]> {
  const reads = sequences.map(({ name }) => `(SELECT pg_catalog.concat_ws(' ', last_value, is_called::pg_catalog.text) FROM ${name})`);
  const { rows } = await client.query<{ positions: string[] }>(`SELECT ARRAY[${reads.join(', ')}]::pg_catalog.text[] AS positions`);
  return rows[0]!.positions;
}
