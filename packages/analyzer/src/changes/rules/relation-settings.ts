import type { AlterTableCmd, DefElem, Node } from 'libpg-query';
import { findTable } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, quoteLiteral, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface RelationSetting {
  table: QualifiedName;
  relationKind: string | undefined;
  setting: 'replica identity' | 'storage parameters';
  /** For storage parameters: the parameters the statement sets or resets. */
  parameters: string[];
}

export const relationSettings = defineRule<AlterTableCmd, RelationSetting>({
  id: 'relation-settings',
  kind: 'alter_object',
  readsPrior: true,
  title: 'Table settings (REPLICA IDENTITY, storage parameters)',
  explain: `ALTER TABLE … REPLICA IDENTITY and ALTER TABLE … SET (…) / RESET (…) change settings of a table
(what logical replication sends for updated and deleted rows; fillfactor, autovacuum and toast parameters)
without changing data. The statement does not show the previous value: with the prior schema the rollback
restores it exactly (REPLICA IDENTITY as it was, the previous values of the parameters the statement
touched); without it the previous value is unknown: risky.`,
  examples: [
    { sql: 'ALTER TABLE users REPLICA IDENTITY FULL;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_ReplicaIdentity', 'AlterTableCmd:AT_SetRelOptions', 'AlterTableCmd:AT_ResetRelOptions'],
  recognise(command, context) {
    const objtype = context.alterTable?.objtype;
    // Views, materialized views and indexes keep their options elsewhere: alter-object's general rule.
    if (objtype !== undefined && objtype !== 'OBJECT_TABLE') return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    if (command.subtype === 'AT_ReplicaIdentity') {
      return { object: displayName(table), details: { table, relationKind: objtype, setting: 'replica identity', parameters: [] }, target: { table } };
    }
    const items = payload<{ items?: Node[] }>(command.def, 'List')?.items ?? [];
    const parameters = items.map((item) => {
      const definition = payload<DefElem>(item, 'DefElem');
      return definition?.defnamespace ? `${definition.defnamespace}.${definition.defname ?? ''}` : (definition?.defname ?? '');
    });
    return { object: displayName(table), details: { table, relationKind: objtype, setting: 'storage parameters', parameters }, target: { table } };
  },
  assess({ details }, { prior }): Assessment {
    const alter = `${alterRelation(details.relationKind)} ${sqlName(details.table)}`;
    const table = prior ? findTable(prior, details.table) : undefined;
    const what = `Changing the ${details.setting} of ${displayName(details.table)}`;
    if (!prior || !table) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `${what}: no data changes, but ${prior ? 'the table is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so the previous setting cannot be restored.`,
        rollback: [],
      };
    }
    if (details.setting === 'replica identity') {
      const restore = replicaIdentity(prior, details.table, table.replicaIdentity);
      if (!restore) {
        return { verdict: 'risky', evidence: 'catalog', reason: `${what}: the index the replica identity used is not in the prior schema.`, rollback: [] };
      }
      return { verdict: 'safe', evidence: 'catalog', reason: `${what}: the previous replica identity (${restore}) is restored from the prior schema. No data changes.`, rollback: [step(`${alter} REPLICA IDENTITY ${restore};`, 'any')] };
    }
    // Options are `name=value`, as pg_class.reloptions stores them; toast.* ones belong to the toast table.
    if (details.parameters.some((parameter) => parameter.includes('.') || parameter === '')) {
      return { verdict: 'risky', evidence: 'catalog', reason: `${what}: the prior schema does not keep the toast table's parameters.`, rollback: [] };
    }
    const previous = table.options
      .map((option) => [option.slice(0, option.indexOf('=')), option.slice(option.indexOf('=') + 1)] as const)
      .filter(([name]) => details.parameters.includes(name));
    const reset = `${alter} RESET (${details.parameters.map(quoteIdent).join(', ')})`;
    const set = previous.length > 0 ? `, SET (${previous.map(([name, value]) => `${quoteIdent(name)} = ${optionValue(value)}`).join(', ')})` : '';
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `${what}: the previous values of ${details.parameters.join(', ')} are restored from the prior schema. No data changes.`,
      rollback: [step(`${reset}${set};`, 'any')],
    };
  },
});

function replicaIdentity(prior: SchemaSnapshot, table: QualifiedName, identity: 'default' | 'nothing' | 'full' | 'index'): string | undefined {
  if (identity !== 'index') return identity.toUpperCase();
  const key = qualifiedName(table.schema, table.name);
  const index = Object.values(prior.indexes).find((candidate) => candidate.table === key && candidate.replicaIdentity);
  return index ? `USING INDEX ${quoteIdent(index.name)}` : undefined;
}

/** A reloption value as a literal: numbers and booleans as they are, anything else quoted. */
function optionValue(value: string): string {
  return /^(-?\d+(\.\d+)?|true|false|on|off)$/i.test(value) ? value : quoteLiteral(value);
}

