/**
 * The fingerprint of a database's catalog (./incremental.ts): one row per object (its Owner, or `g` for what only a
 * whole read can follow), with a digest of the versions (`xmin`, `ctid`) of the catalog rows that belong to it.
 *
 * It is taken before every reading of a replay (Lemmy: ~300 times), so it is computed on integers: each row's
 * version is a 64-bit hash of its `ctid`, seeded with its `xmin` and the flags Postgres may update in place, and an
 * object's digest is the count and the sum of its rows' hashes (independent of row order: nothing is sorted). Made
 * of text (`xmin::text || ctid::text`, hashed), it cost a third more: a cold lint of Lemmy spent 1.9 s of the
 * server's time in it, now 1.3 s (bench/server-time.mjs). Most of what is left is scanning the catalogs.
 */
import type { Queryable } from '../queryable.js';

/** Per owner (`r<oid>`, `t<oid>`, `f<oid>`, or `g`): `<count of rows>:<sum of their hashes>`. */
export type Fingerprint = Map<string, string>;

/** pg_class, pg_type, pg_proc… rows made by initdb have OIDs below this (FirstNormalObjectId). */
const FIRST_USER_OID = 16384;

/**
 * How rows are hashed: `integer` where the server has hashtidextended (added in PostgreSQL 14, with tid's hash operator
 * class), else `text` (the ctid hashed as text). Two fingerprints compare only when taken in the same form.
 */
export type FingerprintForm = 'integer' | 'text';

/** What a catalog table contributes: whose rows they are, and what of them is part of the version. */
interface RowSource {
  /** `"char"`: r (a relation's), t (a type's), f (a function's), g (only a whole read follows it); NULL: nobody's. */
  kind: string;
  /** The OID of the relation, type or function; 0 for g. */
  oid: string;
  /** The alias of the catalog row whose `xmin` and `ctid` are hashed. */
  row: string;
  /** An int4 of the flags Postgres updates in place (without a new row version), below 65536; or a constant. */
  flags?: string;
  /** FROM (and WHERE) of the rows. */
  from: string;
}

const CLASS = `'pg_catalog.pg_class'::pg_catalog.regclass`;
const TYPE = `'pg_catalog.pg_type'::pg_catalog.regclass`;
const PROC = `'pg_catalog.pg_proc'::pg_catalog.regclass`;
const bits = (...flags: string[]) => flags.map((flag, bit) => `(${flag})::pg_catalog.int4 * ${1 << bit}`).join(' + ');
/** A source whose rows all belong to `g`, told apart from the other g sources by `category`. */
const global = (category: number, row: string, from: string): RowSource => ({ kind: `'g'`, oid: '0::pg_catalog.oid', row, flags: String(category), from });

const SOURCES: RowSource[] = [
  { kind: `'r'`, oid: 'c.oid', row: 'c', flags: bits('c.relispopulated'), from: `pg_catalog.pg_class AS c WHERE c.oid >= ${FIRST_USER_OID}` },
  { kind: `'r'`, oid: 'a.attrelid', row: 'a', from: `pg_catalog.pg_attribute AS a WHERE a.attrelid >= ${FIRST_USER_OID} AND a.attnum > 0` },
  { kind: `'r'`, oid: 'ad.adrelid', row: 'ad', from: 'pg_catalog.pg_attrdef AS ad' },
  {
    kind: `'r'`,
    oid: 'i.indexrelid',
    row: 'i',
    flags: bits('i.indisvalid', 'i.indisready', 'i.indislive', 'i.indisclustered', 'i.indisreplident'),
    from: `pg_catalog.pg_index AS i WHERE i.indexrelid >= ${FIRST_USER_OID}`,
  },
  {
    kind: `CASE WHEN con.conrelid <> 0 THEN 'r' ELSE 't' END`,
    oid: 'CASE WHEN con.conrelid <> 0 THEN con.conrelid ELSE con.contypid END',
    row: 'con',
    from: `pg_catalog.pg_constraint AS con WHERE con.oid >= ${FIRST_USER_OID}`,
  },
  { kind: `'r'`, oid: 'tg.tgrelid', row: 'tg', flags: 'tg.tgenabled::pg_catalog.int4', from: `pg_catalog.pg_trigger AS tg WHERE tg.oid >= ${FIRST_USER_OID}` },
  { kind: `'r'`, oid: 'rw.ev_class', row: 'rw', from: `pg_catalog.pg_rewrite AS rw WHERE rw.oid >= ${FIRST_USER_OID}` },
  { kind: `'r'`, oid: 'pol.polrelid', row: 'pol', from: 'pg_catalog.pg_policy AS pol' },
  { kind: `'r'`, oid: 's.seqrelid', row: 's', from: 'pg_catalog.pg_sequence AS s' },
  { kind: `'r'`, oid: 'inh.inhrelid', row: 'inh', from: 'pg_catalog.pg_inherits AS inh' },
  { kind: `'r'`, oid: 'inh.inhparent', row: 'inh', from: 'pg_catalog.pg_inherits AS inh' },
  { kind: `'r'`, oid: 'pt.partrelid', row: 'pt', from: 'pg_catalog.pg_partitioned_table AS pt' },
  { kind: `'r'`, oid: 'ft.ftrelid', row: 'ft', from: 'pg_catalog.pg_foreign_table AS ft' },
  { kind: `'t'`, oid: 't.oid', row: 't', from: `pg_catalog.pg_type AS t WHERE t.oid >= ${FIRST_USER_OID}` },
  { kind: `'r'`, oid: 't.typrelid', row: 't', from: `pg_catalog.pg_type AS t WHERE t.oid >= ${FIRST_USER_OID} AND t.typrelid <> 0` },
  { kind: `'t'`, oid: 'e.enumtypid', row: 'e', from: 'pg_catalog.pg_enum AS e' },
  { kind: `'t'`, oid: 'rng.rngtypid', row: 'rng', from: `pg_catalog.pg_range AS rng WHERE rng.rngtypid >= ${FIRST_USER_OID}` },
  { kind: `'f'`, oid: 'p.oid', row: 'p', from: `pg_catalog.pg_proc AS p WHERE p.oid >= ${FIRST_USER_OID}` },
  { kind: `'f'`, oid: 'ag.aggfnoid::pg_catalog.oid', row: 'ag', from: `pg_catalog.pg_aggregate AS ag WHERE ag.aggfnoid::pg_catalog.oid >= ${FIRST_USER_OID}` },
  // Comments, to the object they describe.
  {
    kind: `CASE d.classoid WHEN ${CLASS} THEN 'r' WHEN ${TYPE} THEN 't' WHEN ${PROC} THEN 'f'
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN CASE WHEN con.conrelid <> 0 THEN 'r' ELSE 't' END
      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN 'r' WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN 'r' ELSE 'g' END`,
    oid: `CASE d.classoid WHEN ${CLASS} THEN d.objoid WHEN ${TYPE} THEN d.objoid WHEN ${PROC} THEN d.objoid
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN CASE WHEN con.conrelid <> 0 THEN con.conrelid ELSE con.contypid END
      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN tg.tgrelid WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN pol.polrelid ELSE 0::pg_catalog.oid END`,
    row: 'd',
    from: `pg_catalog.pg_description AS d
      LEFT JOIN pg_catalog.pg_constraint AS con ON d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = d.objoid
      LEFT JOIN pg_catalog.pg_trigger AS tg ON d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND tg.oid = d.objoid
      LEFT JOIN pg_catalog.pg_policy AS pol ON d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND pol.oid = d.objoid
      WHERE d.objoid >= ${FIRST_USER_OID} OR d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass`,
  },
  // Dependencies the snapshot reads: a sequence's owning column, extension membership, a type's own functions.
  // (Those of other objects change with the objects' own rows, read above.)
  {
    kind: `CASE dep.classid WHEN ${CLASS} THEN 'r' WHEN ${TYPE} THEN 't' WHEN ${PROC} THEN 'f'
      WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN 'g' END`,
    oid: `CASE WHEN dep.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN 0::pg_catalog.oid ELSE dep.objid END`,
    row: 'dep',
    from: `pg_catalog.pg_depend AS dep WHERE dep.deptype IN ('a', 'i', 'e') AND dep.objid >= ${FIRST_USER_OID}`,
  },
  // What only a whole read follows: schemas, extensions, and the objects whose names appear in deparsed definitions
  // without being read themselves. (Roles and tablespaces: hashedGlobals.)
  global(1, 'n', 'pg_catalog.pg_namespace AS n'),
  global(2, 'x', 'pg_catalog.pg_extension AS x'),
  global(3, 'co', `pg_catalog.pg_collation AS co WHERE co.oid >= ${FIRST_USER_OID}`),
  global(4, 'oc', `pg_catalog.pg_opclass AS oc WHERE oc.oid >= ${FIRST_USER_OID}`),
  global(5, 'ofa', `pg_catalog.pg_opfamily AS ofa WHERE ofa.oid >= ${FIRST_USER_OID}`),
  global(6, 'op', `pg_catalog.pg_operator AS op WHERE op.oid >= ${FIRST_USER_OID}`),
  global(7, 'am', `pg_catalog.pg_am AS am WHERE am.oid >= ${FIRST_USER_OID}`),
  global(8, 'lan', `pg_catalog.pg_language AS lan WHERE lan.oid >= ${FIRST_USER_OID}`),
  global(9, 'fdw', 'pg_catalog.pg_foreign_data_wrapper AS fdw'),
  global(10, 'srv', 'pg_catalog.pg_foreign_server AS srv'),
  global(11, 'cfg', `pg_catalog.pg_ts_config AS cfg WHERE cfg.oid >= ${FIRST_USER_OID}`),
  global(12, 'dict', `pg_catalog.pg_ts_dict AS dict WHERE dict.oid >= ${FIRST_USER_OID}`),
];

/**
 * Roles and tablespaces are shown by name (owners, grantees): an unprivileged session cannot read pg_authid's row
 * versions, so their OIDs and names are hashed instead.
 */
const hashedGlobals = (seed: number, text: string, from: string) =>
  `SELECT 'g'::"char", 0::pg_catalog.oid, pg_catalog.hashtextextended(${text}, ${seed}) FROM ${from}`;

/**
 * A row's `xmin` as a number that stays the same from one reading to the next: `age()` counts back from the reading's
 * transaction, `age('3')` (FirstNormalTransactionId) too, so their difference is `xmin - 3` modulo 2^32. A frozen
 * row's xmin (age: INT_MAX) is -1.
 */
const stableXmin = (row: string) =>
  `COALESCE((pg_catalog.age('3'::pg_catalog.xid)::pg_catalog.int8 - NULLIF(pg_catalog.age(${row}.xmin), 2147483647)) & 4294967295, -1)`;

/** The form a server takes: asked of its catalog, not inferred from its version. */
export async function fingerprintFormOf(db: Queryable): Promise<FingerprintForm> {
  const { rows } = await db.query<{ integer: boolean }>(
    `SELECT pg_catalog.to_regprocedure('pg_catalog.hashtidextended(pg_catalog.tid, pg_catalog.int8)') IS NOT NULL AS integer`,
  );
  return rows[0]?.integer === true ? 'integer' : 'text';
}

export function fingerprintQuery(form: FingerprintForm): string {
  const hashTid = (row: string, seed: string) =>
    form === 'integer'
      ? `pg_catalog.hashtidextended(${row}.ctid, ${seed})`
      : `pg_catalog.hashtextextended(${row}.ctid::pg_catalog.text, ${seed})`;
  const selects = SOURCES.map(
    ({ kind, oid, row, flags = '0', from }) =>
      `SELECT (${kind})::"char", ${oid}, ${hashTid(row, `${stableXmin(row)} * 65536 + ${flags}`)} FROM ${from}`,
  );
  selects.push(hashedGlobals(13, `ro.oid::pg_catalog.text || ':' || ro.rolname`, 'pg_catalog.pg_roles AS ro'));
  selects.push(hashedGlobals(14, `sp.oid::pg_catalog.text || ':' || sp.spcname`, 'pg_catalog.pg_tablespace AS sp'));
  return `WITH versions(kind, oid, version) AS (
  ${selects.join('\n  UNION ALL ')}
)
SELECT CASE kind WHEN 'g' THEN 'g' ELSE kind::pg_catalog.text || oid::pg_catalog.text END AS owner,
  count(*) || ':' || sum(version) AS version
FROM versions WHERE kind IS NOT NULL AND oid IS NOT NULL GROUP BY kind, oid`;
}

export async function readFingerprint(db: Queryable, form: FingerprintForm): Promise<Fingerprint> {
  const { rows } = await db.query<{ owner: string; version: string }>(fingerprintQuery(form));
  return new Map(rows.map((row) => [row.owner, row.version]));
}
