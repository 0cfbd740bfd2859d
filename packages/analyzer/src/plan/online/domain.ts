/**
 * Domain constraints: `ALTER DOMAIN d DROP CONSTRAINT IF EXISTS c`; a CHECK added back NOT VALID (no scan of the
 * columns of that type), then validated, the add guarded by pg_constraint so it can run again.
 */
import type { AlterDomainStmt, Constraint, Node } from 'libpg-query';
import { quoteIdent, quoteLiteral } from '../../sql/quote.js';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { bare, dottedName, guarded, insertAt, regtype, tokens } from './sql.js';

export const domainConstraint: OnlineForm = {
  kind: 'ALTER DOMAIN ADD / DROP CONSTRAINT',
  online(statement) {
    const alter = (statement.node as { AlterDomainStmt?: AlterDomainStmt }).AlterDomainStmt;
    const domain = alter?.typeName ? dottedName({ List: { items: alter.typeName } } as Node) : undefined;
    if (!alter || !domain) return undefined;
    const text = bare(statement.text);
    const lock = `${LOCKS.share} on every table with a column of ${domain}`;
    if (alter.subtype === 'X' && alter.name) {
      if (alter.missing_ok) return [{ sql: `${text};`, transactional: true, lock, effect: BRIEF, scans: false }];
      const list = tokens(text);
      const constraintWord = list.findIndex((token, index) => index > 2 && token.text.toUpperCase() === 'CONSTRAINT');
      if (constraintWord < 0) return undefined;
      return [{ sql: `${insertAt(text, list[constraintWord]!.end, ' IF EXISTS')};`, transactional: true, lock, effect: BRIEF, scans: false }];
    }
    const constraint = (alter.def as { Constraint?: Constraint } | undefined)?.Constraint;
    if (alter.subtype === 'C' && constraint?.contype === 'CONSTR_CHECK' && constraint.conname) {
      const exists = `EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE contypid = ${regtype(domain)} AND conname = ${quoteLiteral(constraint.conname)})`;
      const notValid = constraint.skip_validation === true || constraint.initially_valid === false;
      const add = { sql: guarded(`NOT ${exists}`, `${text}${notValid ? '' : ' NOT VALID'}`), transactional: true, lock, effect: `${BRIEF}: NOT VALID checks new values only`, scans: false };
      if (notValid) return [add];
      const validate = {
        sql: guarded(`${exists.slice(0, -1)} AND NOT convalidated)`, `ALTER DOMAIN ${domain} VALIDATE CONSTRAINT ${quoteIdent(constraint.conname)}`),
        transactional: true,
        lock: `${LOCKS.shareUpdateExclusive} on every table with a column of ${domain}`,
        effect: 'scans those tables, writes continue',
        scans: true,
      };
      return [add, validate];
    }
    return undefined;
  },
};
