import type { Node } from 'libpg-query';
import { containsTag } from '../ast.js';
import { DATA_STATEMENTS } from '../executed.js';
import { defineRule } from '../rule.js';

interface ProceduralCode {
  what: string;
}

const CALLS_FUNCTIONS = new Set(['FuncCall']);

export const proceduralCode = defineRule<Record<string, unknown>, ProceduralCode>({
  id: 'procedural-code',
  kind: 'unknown',
  readsPrior: false,
  title: 'Procedural code (DO blocks, CALL, SELECT of functions)',
  explain: `A DO block, a CALL, or a SELECT that calls functions runs code migcheck cannot see into: it may
change the schema, change or delete data, or do nothing at all (Lemmy's SELECT
diesel_manage_updated_at('users') creates a trigger; SELECT setval(…) moves a sequence). Its effect on a
rollback is unknown, so it is risky, never safe. Write the schema changes as plain statements where you
can, so migcheck can check them.`,
  examples: [
    { sql: 'DO $$ BEGIN PERFORM 1; END $$;', verdict: 'risky' },
  ],
  on: ['DoStmt', 'CallStmt', 'SelectStmt', 'ExplainStmt', 'CopyStmt'],
  recognise(node, context) {
    switch (context.statement.tag) {
      case 'DoStmt':
        return { object: '(DO block)', details: { what: 'A DO block' } };
      case 'CallStmt':
        return { object: '(CALL)', details: { what: 'A CALL of a procedure' } };
      case 'ExplainStmt': {
        // EXPLAIN ANALYZE executes the statement it explains.
        const options = (node.options as Node[] | undefined) ?? [];
        const analyze = options.some((option) => JSON.stringify(option).includes('"defname":"analyze"'));
        // EXPLAIN ANALYZE of an INSERT/UPDATE/DELETE/MERGE is that data change (changes/recognise.ts reports it).
        const query = Object.keys((node.query as Record<string, unknown> | undefined) ?? {})[0] ?? '';
        if (DATA_STATEMENTS.has(query)) return undefined;
        return analyze ? { object: '(EXPLAIN ANALYZE)', details: { what: 'EXPLAIN ANALYZE, which runs its statement,' } } : undefined;
      }
      case 'CopyStmt':
        // COPY (SELECT f()) TO …: the query runs. COPY … FROM is data-change's.
        if (node.is_from || !containsTag(node.query, CALLS_FUNCTIONS)) return undefined;
        return { object: '(COPY)', details: { what: 'A COPY of a query that calls functions' } };
      default:
        // A SELECT that calls no function (and has no INTO, which add-table takes) changes nothing.
        if (node.intoClause || !containsTag(node, CALLS_FUNCTIONS)) return undefined;
        return { object: '(SELECT)', details: { what: 'A SELECT that calls functions' } };
    }
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `${details.what} runs code migcheck cannot see into: it may change the schema or data, so its rollback is unknown.`,
      rollback: [],
    };
  },
});
