import type { AlterEnumStmt } from 'libpg-query';
import { qualifyNames, strings } from '../ast.js';
import { ask, howDecided, unanswered } from '../data.js';
import { displayName } from '../naming.js';
import { columnsOfType } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { quoteIdent, quoteLiteral, sqlName } from '../../sql/quote.js';
import { defineRule } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddEnumValue {
  type: QualifiedName;
  value: string;
  ifNotExists: boolean;
}

export const addEnumValue = defineRule<AlterEnumStmt, AddEnumValue>({
  id: 'add-enum-value',
  kind: 'add_enum_value',
  readsPrior: true,
  probes: ['enumValueInUse'],
  title: 'Added enum value',
  explain: `Postgres cannot remove a value from an enum type (there is no ALTER TYPE … DROP VALUE). After a
rollback the value stays; the old application works as long as no row uses it, and fails to read rows
that do. A full revert recreates the type without the value (create a new type, convert the columns,
drop the old type), which needs the type's prior labels and every row rewritten. The change is risky;
the data check "is the value in use?" tells whether rows depend on it.`,
  examples: [
    { sql: "ALTER TYPE mood ADD VALUE 'happy';", verdict: 'risky' },
  ],
  on: ['AlterEnumStmt'],
  recognise(alter, context) {
    if (!alter.newVal || alter.oldVal) return undefined;
    const type = qualifyNames(strings(alter.typeName), context.defaultSchema);
    return {
      object: displayName(type),
      details: { type, value: alter.newVal, ifNotExists: alter.skipIfNewValExists === true },
    };
  },
  dataCheck: ({ details }, state, probes) =>
    state === 'applied' ? ask(`Does any row use '${details.value}'?`, probes.enumValueInUse(details.type, details.value)) : undefined,
  assess({ details }, { data, prior }) {
    const notes = [removalRecipe(details, prior)];
    if (data) {
      return {
        verdict: 'risky',
        evidence: 'data',
        reason:
          data.finding.answer === 'yes'
            ? `Rows use '${details.value}' of ${details.type.name} (${howDecided(data)}): the old application may fail on them, and Postgres cannot drop the value. Fix those rows or fix forward.`
            : data.finding.answer === 'no'
              ? `No row uses '${details.value}' (${howDecided(data)}): the old application works with the value left in place (Postgres cannot drop it).`
              : unanswered(data),
        rollback: [],
        notes,
      };
    }
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Enum ${details.type.name} gains '${details.value}'. Postgres cannot drop an enum value, so it stays after a rollback: the old application works while no row uses it; removing it means recreating the type.`,
      rollback: [],
      notes,
    };
  },
});

/**
 * How to take the value out by hand, since no statement does (the script says INCOMPLETE): recreate the type with
 * its prior labels and convert every column of it. With the prior schema, the labels and columns are spelt out.
 */
function removalRecipe(details: AddEnumValue, prior: SchemaSnapshot | undefined): string {
  const type = sqlName(details.type);
  const old = sqlName({ schema: details.type.schema, name: `${details.type.name}_old` });
  const info = prior?.enums[qualifiedName(details.type.schema, details.type.name)];
  const labels = info ? info.labels.map(quoteLiteral).join(', ') : '<its labels before the migration>';
  const columns = prior && info ? columnsOfType(prior, details.type) : [];
  const converts =
    columns.length > 0
      ? columns
          .map(({ table, column }) => {
            const array = column.type.endsWith('[]') ? '[]' : '';
            const alter = `ALTER TABLE ${sqlName(table)} ALTER COLUMN ${quoteIdent(column.name)}`;
            // A default of the old type cannot be cast automatically: taken off, then put back as it was.
            const convert = `${alter} TYPE ${type}${array} USING ${quoteIdent(column.name)}::text${array}::${type}${array};`;
            return column.default === null ? convert : `${alter} DROP DEFAULT; ${convert} ${alter} SET DEFAULT ${column.default};`;
          })
          .join(' ')
      : `ALTER TABLE <each table> ALTER COLUMN <each column of the type> TYPE ${type} USING <column>::text::${type};`;
  return `To remove '${details.value}' (no row may use it; defaults, views and functions over the type need the same care): ALTER TYPE ${type} RENAME TO ${quoteIdent(`${details.type.name}_old`)}; CREATE TYPE ${type} AS ENUM (${labels}); ${converts} DROP TYPE ${old};`;
}
