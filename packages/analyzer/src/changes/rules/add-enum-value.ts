import type { AlterEnumStmt } from 'libpg-query';
import { qualifyNames, strings } from '../ast.js';
import { ask, howDecided, unanswered } from '../data.js';
import { displayName } from '../naming.js';
import { columnsOfType } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { typeOid } from '../../sql/catalog-oid.js';
import { dollarQuoted, quoteIdent, quoteLiteral, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import type { RollbackStep } from '../types.js';
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
drop the old type), which needs the type's prior labels and every row rewritten. With the prior schema,
and when nothing but table columns uses the type, the rollback does that in one DO block (all or nothing,
and nothing once the value is gone); otherwise the script says INCOMPLETE and gives the recipe. The change
is risky; the data check "is the value in use?" tells whether rows depend on it.`,
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
    const recreate = data?.finding.answer === 'yes' ? undefined : recreationSteps(details, prior);
    if (recreate) {
      const checked = data?.finding.answer === 'no' ? `no row uses '${details.value}' (${howDecided(data)})` : `if no row uses '${details.value}' (the statements fail, changing nothing, if one does)`;
      return {
        verdict: 'risky',
        evidence: data ? 'data' : 'catalog',
        reason: `Postgres cannot drop '${details.value}' from ${details.type.name}: the rollback recreates the type with its prior labels and converts its columns, which rewrites their tables; it applies ${checked}.`,
        rollback: recreate,
      };
    }
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
 * The statements that take the value out, when the prior schema shows everything over the type: its labels, and
 * only table columns (with their defaults) using it. Anything else that names the type (a view, a function, an
 * index or check expression, a domain, another type) would need the same care, and the type's own privileges a
 * grant: then undefined, and the script keeps the recipe and says INCOMPLETE.
 */
function recreationSteps(details: AddEnumValue, prior: SchemaSnapshot | undefined): RollbackStep[] | undefined {
  const typeKey = qualifiedName(details.type.schema, details.type.name);
  const info = prior?.enums[typeKey];
  if (!prior || !info || !info.privileges.every(isDefaultTypePrivilege)) return undefined;
  const columns = columnsOfType(prior, details.type);
  if (namedElsewhere(prior, typeKey, details.type.name, new Set(columns.map(({ column }) => column)))) return undefined;
  const type = sqlName(details.type);
  const oldName = `${details.type.name}_old`;
  const statements = [
    `ALTER TYPE ${type} RENAME TO ${quoteIdent(oldName)};`,
    `CREATE TYPE ${type} AS ENUM (${info.labels.map(quoteLiteral).join(', ')});`,
    ...(info.comment === null ? [] : [`COMMENT ON TYPE ${type} IS ${quoteLiteral(info.comment)};`]),
    ...columns.flatMap(({ table, column }) => {
      const array = column.type.endsWith('[]') ? '[]' : '';
      const alter = `ALTER TABLE ${sqlName(table)} ALTER COLUMN ${quoteIdent(column.name)}`;
      const convert = `${alter} TYPE ${type}${array} USING ${quoteIdent(column.name)}::text${array}::${type}${array};`;
      return column.default === null ? [convert] : [`${alter} DROP DEFAULT;`, convert, `${alter} SET DEFAULT ${column.default};`];
    }),
    `DROP TYPE ${sqlName({ schema: details.type.schema, name: oldName })};`,
  ];
  // One DO block: all or nothing (a row that holds the value fails the conversion, and nothing changed), and only
  // while the value is there, so that the script can run again. After the old application is deployed: the new
  // one may still write the value.
  const present = `EXISTS (SELECT FROM pg_catalog.pg_enum WHERE enumtypid = ${typeOid(details.type)} AND enumlabel = ${quoteLiteral(details.value)})`;
  return [step(`DO ${dollarQuoted(` BEGIN IF ${present} THEN ${statements.join(' ')} END IF; END `)};`, 'after-app')];
}

/** USAGE for PUBLIC and the owner, granted by the owner: what a new type has. */
function isDefaultTypePrivilege(item: string): boolean {
  const match = /^(.*)=U\/(.*)$/.exec(item);
  return match !== null && (match[1] === '' || match[1] === match[2]);
}

/** Whether anything in the prior schema but the type itself and `columns` names the type. */
function namedElsewhere(prior: SchemaSnapshot, typeKey: string, typeName: string, columns: ReadonlySet<object>): boolean {
  const { enums, tables, ...rest } = prior;
  const otherEnums = Object.entries(enums).filter(([key]) => key !== typeKey);
  const otherColumns = Object.values(tables).map((table) => ({ ...table, columns: Object.values(table.columns).filter((column) => !columns.has(column)) }));
  const escaped = typeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`).test(JSON.stringify([rest, otherEnums, otherColumns]));
}

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
