import type { AlterTableCmd, ColumnDef } from 'libpg-query';
import { findColumn } from '../../catalog/lookup.js';
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import { backupColumn, primaryKeyColumns } from '../backup.js';
import { ask, howDecided, unanswered } from '../data.js';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, mayHaveExisted, step, type DataCheck } from '../rule.js';
import { alterRelation } from '../sql.js';
import { formatTypeName } from '../typename.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddColumn {
  table: QualifiedName;
  relationKind: string | undefined;
  column: string;
  type: string;
  ifNotExists: boolean;
  /** GENERATED ALWAYS AS (…) STORED: its values are computed, never written by the application. */
  generated: boolean;
}

export const addColumn = defineRule<AlterTableCmd, AddColumn>({
  id: 'add-column',
  kind: 'add_column',
  readsPrior: true,
  probes: ['columnHoldsData'],
  title: 'Added column',
  seed: 'Added Column → Column has data? No data yet → Safe Rollback: 1. Deploy old app version 2. DROP COLUMN email. Old app doesn\'t use it. Has data → Data Loss Risk: 1. Backup table first 2. Consider keeping column 3. Deploy old app version. Column ignored by old app.',
  explain: `An added column is rolled back by deploying the old application version first (it does not use
the column) and then dropping the column. Right after the migration the column holds only its default,
so the rollback is safe. Once the new application has written to it, dropping it loses that data: the
rollback becomes risky, and the data must be backed up first, or the column kept (the old application
ignores it). The data check "does the column hold data (non-NULL and different from its default)?"
decides which.

ADD COLUMN IF NOT EXISTS is risky without the prior schema: the column may have existed before the
migration, and dropping it would destroy data the old application uses. With the prior schema, a column
that existed means nothing to undo.`,
  examples: [
    { sql: 'ALTER TABLE users ADD COLUMN email text;', verdict: 'safe' },
    { sql: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_AddColumn'],
  recognise(command, context) {
    const column = payload<ColumnDef>(command.def, 'ColumnDef');
    if (!column?.colname || !column.typeName) return undefined;
    // ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE arrives as the same subcommand on a composite type.
    if (context.alterTable?.objtype === 'OBJECT_TYPE') return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    const generated = (column.constraints ?? []).some(
      (constraint) => payload<{ contype?: string }>(constraint, 'Constraint')?.contype === 'CONSTR_GENERATED',
    );
    return {
      object: displayName(table, column.colname),
      details: {
        table,
        relationKind: context.alterTable?.objtype,
        column: column.colname,
        type: formatTypeName(column.typeName).sql,
        ifNotExists: command.missing_ok === true,
        generated,
      },
      target: { table, columns: [column.colname] },
      ...(column.location !== undefined ? { locationByte: column.location } : {}),
    };
  },
  dataCheck: ({ details }, state, probes) =>
    // Seed: "Added Column → Column has data?" (before a rollback; a pending column does not exist yet).
    state === 'applied' && !details.generated ? ask('Does the column hold data?', probes.columnHoldsData(details.table, details.column)) : undefined,
  assess({ details }, { prior, data, target }) {
    if (data) return withColumnData(details, data, target);
    const rollback = [
      step(
        `${alterRelation(details.relationKind)} ${sqlName(details.table)} DROP COLUMN ${quoteIdent(details.column)};`,
        'after-app',
      ),
    ];
    // IF NOT EXISTS may have done nothing; only the prior schema tells.
    if (details.ifNotExists && !prior) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `ADD COLUMN IF NOT EXISTS: ${details.column} may have existed before this migration, and dropping it would destroy data the old application uses.`,
        rollback,
        incomplete: mayHaveExisted(`column ${details.column}`),
      };
    }
    if (details.ifNotExists && prior && findColumn(prior, details.table, details.column)) {
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `${details.column} existed before this migration, so ADD COLUMN IF NOT EXISTS did nothing: nothing to undo.`,
        rollback: [],
      };
    }
    const evidence = details.ifNotExists ? 'catalog' : 'static';
    if (details.generated) {
      return {
        verdict: 'safe',
        evidence,
        reason: `New generated column ${details.column}: its values are computed from other columns, so dropping it loses nothing. Deploy the old application version, then drop it.`,
        rollback,
      };
    }
    return {
      verdict: 'safe',
      evidence,
      reason: `New column ${details.column} (${details.type}): the old application does not use it. Safe to drop until the column holds data; once the new application writes to it, back it up first or keep the column (the data check decides).`,
      rollback,
    };
  },
});

function withColumnData(details: AddColumn, data: DataCheck, target: SchemaSnapshot | undefined): Assessment {
  const drop = step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} DROP COLUMN ${quoteIdent(details.column)};`, 'after-app');
  if (data.finding.answer === 'no') {
    return {
      verdict: 'safe',
      evidence: 'data',
      reason: `${details.column} holds no data (${howDecided(data)}). Seed: "No data yet → Safe Rollback: 1. Deploy old app version 2. DROP COLUMN".`,
      rollback: [drop],
    };
  }
  const backup = backupColumn(details.table, details.column, primaryKeyColumns(target, details.table));
  return {
    verdict: 'risky',
    evidence: 'data',
    reason:
      data.finding.answer === 'yes'
        ? `${details.column} holds data (${howDecided(data)}). Seed: "Has data → Data Loss Risk: 1. Backup table first 2. Consider keeping column 3. Deploy old app version": back it up before dropping it, or keep the column (the old application ignores it).`
        : unanswered(data),
    rollback: [...backup.steps, drop],
    notes: [backup.restore],
  };
}
