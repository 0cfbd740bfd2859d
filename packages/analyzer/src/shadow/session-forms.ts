/**
 * Statements of a migration whose effect on its session would reach migcheck's own use of that session.
 *
 * The catalog reader prepares its queries on the session that replays (./catalog-reader.ts), so that the server
 * plans them once. A migration's `DEALLOCATE ALL` means the statements the migration's own SQL prepared: in a replay
 * it would also drop the reader's, and inside a transaction (a rehearsal in place, the schema within a migration)
 * the reader's next query would then abort the transaction. The form run instead deallocates only what SQL
 * prepared (`from_sql`); a name that SQL did not prepare fails as Postgres fails it.
 */
import { parseSync } from '../sql/parser.js';
import { dollarQuoted, quoteLiteral } from '../sql/quote.js';

/** The statement to run instead of `text`, or undefined to run it as written. */
export function sessionForm(tag: string, text: string): string | undefined {
  if (tag !== 'DeallocateStmt') return undefined;
  const statements = parseSync(text).stmts ?? [];
  const node = statements.length === 1 ? statements[0]!.stmt : undefined;
  if (!node || !('DeallocateStmt' in node)) return undefined;
  const { name, isall } = node.DeallocateStmt!;
  const prepared = `SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql${isall ? '' : ` AND name OPERATOR(pg_catalog.=) ${quoteLiteral(name ?? '')}`}`;
  const missing = isall
    ? ''
    : `IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = '26000', MESSAGE = pg_catalog.format('prepared statement "%s" does not exist', ${quoteLiteral(name ?? '')}); END IF;`;
  return `DO ${dollarQuoted(`DECLARE statement_name pg_catalog.text; BEGIN FOR statement_name IN ${prepared} LOOP EXECUTE pg_catalog.format('DEALLOCATE %I', statement_name); END LOOP; ${missing} END`)}`;
}
