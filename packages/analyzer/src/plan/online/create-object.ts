/**
 * Objects a rollback recreates (a view, a type, a trigger, a policy the migration dropped), made able to run
 * again: `IF NOT EXISTS` where Postgres has it, otherwise a guard that runs the statement only while the object
 * is missing. Catalog only, brief; a trigger takes SHARE ROW EXCLUSIVE and a policy ACCESS EXCLUSIVE on its table.
 */
import type {
  CompositeTypeStmt,
  CreateDomainStmt,
  CreateEnumStmt,
  CreatePolicyStmt,
  CreateRangeStmt,
  CreateSeqStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  Node,
  RangeVar,
  ViewStmt,
} from 'libpg-query';
import { quoteLiteral } from '../../sql/quote.js';
import { BRIEF, LOCKS, type OnlineForm, type OnlineStep } from './step.js';
import { afterKeyword, bare, dottedName, guarded, insertAt, regclass, regtype, relationSql, tokens } from './sql.js';

function listName(items: Node[] | undefined): string | undefined {
  return items ? dottedName({ List: { items } } as Node) : undefined;
}

function step(sql: string, lock: string): OnlineStep {
  return { sql, transactional: true, lock, effect: BRIEF, scans: false };
}

export const createObject: OnlineForm = {
  kind: 'CREATE VIEW / TYPE / DOMAIN / SEQUENCE / TRIGGER / POLICY',
  online(statement) {
    const text = bare(statement.text);
    const node = statement.node as {
      ViewStmt?: ViewStmt;
      CreateTableAsStmt?: CreateTableAsStmt;
      CreateSeqStmt?: CreateSeqStmt;
      CreateEnumStmt?: CreateEnumStmt;
      CreateRangeStmt?: CreateRangeStmt;
      CreateDomainStmt?: CreateDomainStmt;
      CompositeTypeStmt?: CompositeTypeStmt;
      CreateTrigStmt?: CreateTrigStmt;
      CreatePolicyStmt?: CreatePolicyStmt;
    };
    const relationMissing = (relation: RangeVar | undefined) => {
      const name = relationSql(relation);
      return name ? `${regclass(name)} IS NULL` : undefined;
    };
    const typeMissing = (items: Node[] | undefined) => {
      const name = listName(items);
      return name ? `${regtype(name)} IS NULL` : undefined;
    };

    if (node.ViewStmt && !node.ViewStmt.replace) {
      const guard = relationMissing(node.ViewStmt.view);
      return guard ? [step(guarded(guard, text), `${LOCKS.accessShare} on the tables it reads`)] : undefined;
    }
    if (node.CreateTableAsStmt?.objtype === 'OBJECT_MATVIEW') {
      const guard = relationMissing(node.CreateTableAsStmt.into?.rel);
      return guard ? [{ ...step(guarded(guard, text), `${LOCKS.accessShare} on the tables it reads`), effect: 'reads the tables it is built from, writes continue', scans: true }] : undefined;
    }
    if (node.CreateSeqStmt) {
      if (node.CreateSeqStmt.if_not_exists) return [step(`${text};`, 'none on tables')];
      const at = afterKeyword(tokens(text), 'SEQUENCE');
      return at === undefined ? undefined : [step(`${insertAt(text, at, ' IF NOT EXISTS')};`, 'none on tables')];
    }
    const typeNames = node.CreateEnumStmt?.typeName ?? node.CreateRangeStmt?.typeName ?? node.CreateDomainStmt?.domainname;
    const composite = node.CompositeTypeStmt?.typevar;
    if (typeNames || composite) {
      const guard = composite ? relationMissing(composite) : typeMissing(typeNames);
      return guard ? [step(guarded(guard, text), 'none on tables')] : undefined;
    }
    const trigger = node.CreateTrigStmt;
    if (trigger && !trigger.replace && trigger.trigname) {
      const table = relationSql(trigger.relation);
      if (!table) return undefined;
      const guard = `NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${quoteLiteral(trigger.trigname)})`;
      return [step(guarded(guard, text), `${LOCKS.shareRowExclusive} on ${table}`)];
    }
    const policy = node.CreatePolicyStmt;
    if (policy?.policy_name) {
      const table = relationSql(policy.table);
      if (!table) return undefined;
      const guard = `NOT EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polrelid = ${regclass(table)} AND polname = ${quoteLiteral(policy.policy_name)})`;
      return [step(guarded(guard, text), `${LOCKS.accessExclusive} on ${table}`)];
    }
    return undefined;
  },
};
