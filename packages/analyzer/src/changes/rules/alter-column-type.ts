import type { AlterTableCmd, ColumnDef, ColumnRef, Node, TypeCast } from 'libpg-query';
import { addConstraint, commentOn, createIndex } from '../../catalog/ddl.js';
import { columnDependents, findColumn } from '../../catalog/lookup.js';
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import { payload, qualify, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { ask, howDecided, unanswered } from '../data.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step, type DataCheck, type MigrationState } from '../rule.js';
import { alterRelation } from '../sql.js';
import { formatTypeName } from '../typename.js';
import type { Assessment, RollbackStep } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

/** How the new values are computed: by the default conversion, by `USING col::type`, or by an expression. */
export type Conversion = 'default' | 'plain-cast' | 'expression';

interface AlterColumnType {
  table: QualifiedName;
  relationKind: string | undefined;
  column: string;
  newType: string;
  conversion: Conversion;
}

export const alterColumnType = defineRule<AlterTableCmd, AlterColumnType>({
  id: 'alter-column-type',
  kind: 'alter_column_type',
  readsPrior: true,
  probes: ['valuesFitType'],
  title: 'Modified column type',
  seed: 'Modified Column → Data compatible? Yes - reversible → Revert Column Type: ALTER COLUMN age TYPE int. Verify no data truncation. Then deploy old app. No - data loss → Cannot Revert: bigint values exceed int range. Forward fix ONLY.',
  explain: `A column type change is rolled back with ALTER COLUMN … TYPE <old type>, then a check that no
value was truncated, then the old application version is deployed. Whether that works depends on the
cast:
- a lossless widening (integer → bigint, varchar(n) → text, numeric(10,2) → numeric(12,2)) is exactly
  reversible right after the migration; it stays safe until the application writes values the old type
  cannot hold (bigint values beyond the integer range). The data check "do all values convert back
  without loss?" decides that.
- a cast that rounds or truncates when the migration runs (numeric(10,2) → numeric(10,0),
  timestamp → date, double precision → real) has already lost information: irreversible, forward fix only.
- a conversion that re-renders values (text → integer, json → jsonb) or depends on the session's time
  zone (timestamp ↔ timestamptz), or a USING expression, is risky.
Without the column's prior type (no history and no database) the rollback cannot be written: risky.
The rollback never uses an explicit cast to a bounded string type, because that truncates silently;
Postgres' assignment cast raises an error instead.`,
  examples: [
    { sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_AlterColumnType'],
  recognise(command, context) {
    const definition = payload<ColumnDef>(command.def, 'ColumnDef');
    if (!command.name || !definition?.typeName) return undefined;
    // ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE arrives as the same subcommand on a composite type.
    if (context.alterTable?.objtype === 'OBJECT_TYPE') return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    const newType = formatTypeName(definition.typeName).sql;
    return {
      object: displayName(table, command.name),
      details: {
        table,
        relationKind: context.alterTable?.objtype,
        column: command.name,
        newType,
        conversion: conversionOf(definition.raw_default, command.name, newType),
      },
      target: { table, columns: [command.name] },
      ...(definition.location !== undefined ? { locationByte: definition.location } : {}),
    };
  },
  dataCheck({ details }, state, probes, { prior }) {
    const oldType = prior ? findColumn(prior, details.table, details.column)?.type : undefined;
    if (!oldType) return undefined;
    // Applied: seed "Data compatible?" — do the values convert back to the old type? Pending: will the
    // forward conversion keep every value?
    return state === 'applied'
      ? ask(`Do the values of ${details.column} still fit ${oldType}?`, probes.valuesFitType(details.table, details.column, oldType))
      : ask(`Do the values of ${details.column} convert to ${details.newType} unchanged?`, probes.valuesFitType(details.table, details.column, details.newType));
  },
  assess({ details }, context): Assessment {
    const oldType = context.prior ? findColumn(context.prior, details.table, details.column)?.type : undefined;
    if (oldType === undefined) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `Type of ${details.column} changes to ${details.newType}, but its prior type is unknown (${PRIOR_STATE_UNKNOWN}), so the rollback cannot be written.`,
        rollback: [],
      };
    }
    const cast = classifyTypeChange(oldType, details.newType, details.conversion);
    const revertType = step(
      `${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} TYPE ${oldType}${
        needsUsing(oldType, details.newType) ? ` USING ${quoteIdent(details.column)}::${oldType}` : ''
      };`,
      'before-app',
    );
    const revert = withDependentsRestored(details, revertType, context.prior!);
    const verify = `Verify no data truncation: compare the values of ${details.column} before and after the revert, then deploy the old application version.`;
    if (context.data) return withTypeData(details, oldType, cast, context.data, context.state, revert, verify);
    switch (cast.kind) {
      case 'unchanged':
        return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} already had type ${oldType}: nothing changes.`, rollback: [] };
      case 'widening':
      case 'checked':
        return {
          verdict: 'safe',
          evidence: 'catalog',
          reason: `${oldType} → ${details.newType}: ${cast.why} Reverting is exact right after the migration, and stays safe until the application writes values ${oldType} cannot hold (the data check decides).`,
          rollback: revert,
          notes: [verify],
        };
      case 'lossy':
        return {
          verdict: 'irreversible',
          evidence: 'catalog',
          reason: `${oldType} → ${details.newType}: ${cast.why} The original values are lost when the migration runs: forward fix only.`,
          rollback: [],
          options: [
            'Restore the original values from a backup taken before the migration',
            'Accept the lost precision and fix forward',
          ],
        };
      default:
        return {
          verdict: 'risky',
          evidence: 'catalog',
          reason: `${oldType} → ${details.newType}: ${cast.why}`,
          rollback: revert,
          notes: [verify],
        };
    }
  },
});

/**
 * The type revert, with what the change rebuilt implicitly put back as it was: the column's default and the
 * expression indexes and check constraints over it are stored expressions that a round trip through another type
 * re-renders (an added cast), so they are dropped before the revert and recreated from their prior definitions.
 */
function withDependentsRestored(details: AlterColumnType, revertType: RollbackStep, prior: SchemaSnapshot): RollbackStep[] {
  const column = findColumn(prior, details.table, details.column);
  const { indexes, checks } = columnDependents(prior, details.table, details.column);
  const alter = `${alterRelation(details.relationKind)} ${sqlName(details.table)}`;
  const restoreDefault =
    column?.default && !column.generated && !column.identity ? [step(`${alter} ALTER COLUMN ${quoteIdent(details.column)} SET DEFAULT ${column.default};`, 'before-app')] : [];
  const indexName = (index: { schema: string; name: string }) => sqlName({ schema: index.schema, name: index.name });
  return [
    ...checks.map((check) => step(`${alter} DROP CONSTRAINT ${quoteIdent(check.name)};`, 'before-app')),
    ...indexes.map((index) => step(`DROP INDEX ${indexName(index)};`, 'before-app')),
    revertType,
    ...restoreDefault,
    ...indexes.flatMap((index) => [
      step(createIndex(index), 'before-app'),
      ...(index.comment !== null ? [step(commentOn('INDEX', indexName(index), index.comment), 'before-app')] : []),
    ]),
    ...checks.flatMap((check) => [
      step(addConstraint(details.table, check), 'before-app'),
      ...(check.comment !== null ? [step(commentOn('CONSTRAINT', `${quoteIdent(check.name)} ON ${sqlName(details.table)}`, check.comment), 'before-app')] : []),
    ]),
  ];
}

/** The verdict once the target's values have answered the data check. */
function withTypeData(
  details: AlterColumnType,
  oldType: string,
  cast: CastClass,
  data: DataCheck,
  state: MigrationState | undefined,
  revert: RollbackStep[],
  verify: string,
): Assessment {
  const { answer } = data.finding;
  if (answer === 'unknown') return { verdict: 'risky', evidence: 'data', reason: unanswered(data), rollback: revert, notes: [verify] };
  if (state === 'applied') {
    return answer === 'yes'
      ? {
          verdict: 'safe',
          evidence: 'data',
          reason: `Every value of ${details.column} still fits ${oldType} (${howDecided(data)}). Seed: "Revert Column Type: ALTER COLUMN … TYPE <old>. Verify no data truncation. Then deploy old app".`,
          rollback: revert,
          notes: [verify],
        }
      : {
          verdict: 'irreversible',
          evidence: 'data',
          reason: `Values of ${details.column} no longer fit ${oldType} (${howDecided(data)}). Seed: "Cannot Revert: bigint values exceed int range. Forward fix ONLY".`,
          rollback: [],
          options: ['Fix forward in the new application version, keeping the new type', `Clean up the values that do not fit ${oldType}, then revert`],
        };
  }
  // Pending: the forward conversion, on today's values.
  if (answer === 'yes') {
    return {
      verdict: 'safe',
      evidence: 'data',
      reason: `Every value of ${details.column} converts to ${details.newType} and back unchanged (${howDecided(data)}), so the migration loses nothing today; the revert to ${oldType} is exact until the application writes values it cannot hold.`,
      rollback: revert,
      notes: [verify],
    };
  }
  return cast.kind === 'lossy'
    ? {
        verdict: 'irreversible',
        evidence: 'data',
        reason: `Values of ${details.column} change when converted to ${details.newType} (${howDecided(data)}): ${cast.why} Forward fix only once applied.`,
        rollback: [],
        options: ['Back up the column before the migration', 'Accept the lost precision', 'Keep the old type'],
      }
    : {
        verdict: 'risky',
        evidence: 'data',
        reason: `Values of ${details.column} do not convert to ${details.newType} (${howDecided(data)}): the migration itself will fail on them.`,
        rollback: revert,
        notes: [verify],
      };
}

function conversionOf(using: Node | undefined, column: string, newType: string): Conversion {
  if (!using) return 'default';
  const cast = payload<TypeCast>(using, 'TypeCast');
  const argument = payload<ColumnRef>(cast?.arg, 'ColumnRef');
  if (cast?.typeName && argument && strings(argument.fields).join('.') === column) {
    return formatTypeName(cast.typeName).sql === newType ? 'plain-cast' : 'expression';
  }
  return 'expression';
}

// ---------------------------------------------------------------------------------------------
// Cast classification: what an ALTER COLUMN TYPE did to the values, from the old and new type names
// as format_type() prints them.

export type CastKind = 'unchanged' | 'widening' | 'checked' | 'lossy' | 'normalizing' | 'session-dependent' | 'unknown';

export interface CastClass {
  kind: CastKind;
  why: string;
}

interface ParsedType {
  base: string;
  mods: number[];
  array: boolean;
}

export function parseTypeText(text: string): ParsedType {
  const array = text.endsWith('[]');
  const bare = array ? text.slice(0, -2) : text;
  const match = /^(.*?)(?:\(([\d, ]+)\))?( with(?:out)? time zone)?$/.exec(bare.trim());
  const base = `${match?.[1] ?? bare}${match?.[3] ?? ''}`.trim();
  const mods = match?.[2] ? match[2].split(',').map((mod) => Number(mod.trim())) : [];
  return { base, mods, array };
}

const INTEGER_BITS: Record<string, number> = { smallint: 16, integer: 32, bigint: 64 };
const INTEGER_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };
const FLOAT_MANTISSA_BITS: Record<string, number> = { real: 24, 'double precision': 53 };
const UNBOUNDED_TEXT = new Set(['text']);
const STRING_TYPES = new Set(['text', 'character varying', 'character']);
const TIME_TYPES: Record<string, string> = {
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
};
/** Types whose text form reads back to the same value (value::text::type = value) whatever the session's settings. */
const CANONICAL_TEXT = new Set([
  'smallint', 'integer', 'bigint', 'numeric', 'boolean', 'uuid', 'time without time zone', 'inet', 'cidr', 'macaddr',
  'jsonb', 'bytea',
]);
/**
 * Types whose text form depends on a setting of the session that converts them: under another setting the
 * rollback reads it back differently (extra_float_digits = 0 rounds floats to 15 digits; DateStyle 'SQL, DMY'
 * swaps day and month; IntervalStyle sql_standard drops the sign of the later fields; lc_monetary changes money).
 */
const SESSION_TEXT: Record<string, string> = {
  real: 'extra_float_digits',
  'double precision': 'extra_float_digits',
  date: 'DateStyle',
  'timestamp without time zone': 'DateStyle',
  'timestamp with time zone': 'DateStyle and TimeZone',
  interval: 'IntervalStyle',
  money: 'lc_monetary',
};

export function classifyTypeChange(oldText: string, newText: string, conversion: Conversion = 'default'): CastClass {
  if (conversion === 'expression') {
    return { kind: 'unknown', why: 'the USING expression computes new values; its inverse is not known.' };
  }
  const from = parseTypeText(oldText);
  const to = parseTypeText(newText);
  if (from.array !== to.array) return { kind: 'unknown', why: 'the change converts between an array and a scalar.' };
  if (from.base === to.base && sameMods(from, to)) return { kind: 'unchanged', why: 'the type is the same.' };
  return classifyScalar(from, to, conversion);
}

function sameMods(a: ParsedType, b: ParsedType): boolean {
  return a.mods.length === b.mods.length && a.mods.every((mod, i) => mod === b.mods[i]);
}

function classifyScalar(from: ParsedType, to: ParsedType, conversion: Conversion): CastClass {
  const widening = (why: string): CastClass => ({ kind: 'widening', why });
  const checked = (why: string): CastClass => ({ kind: 'checked', why });
  const lossy = (why: string): CastClass => ({ kind: 'lossy', why });

  // Integers and numerics.
  const fromBits = INTEGER_BITS[from.base];
  const toBits = INTEGER_BITS[to.base];
  if (fromBits && toBits) {
    return toBits >= fromBits
      ? widening('every old value fits the wider integer type.')
      : checked('values that do not fit would have made the migration fail, so every value converted exactly.');
  }
  if (fromBits && to.base === 'numeric') {
    const [precision, scale = 0] = to.mods;
    if (precision === undefined || precision - scale >= (INTEGER_DIGITS[from.base] ?? 19)) {
      return widening('numeric holds every integer value exactly.');
    }
    return checked('values too large for the numeric precision would have made the migration fail.');
  }
  if (fromBits && FLOAT_MANTISSA_BITS[to.base]) {
    return (FLOAT_MANTISSA_BITS[to.base] ?? 0) > fromBits
      ? widening('the floating-point type holds every value exactly.')
      : lossy(`${to.base} cannot hold every ${from.base} value exactly (large values are rounded).`);
  }
  if (from.base === 'numeric' && to.base === 'numeric') return classifyNumeric(from, to);
  if (from.base === 'numeric' && toBits) {
    return from.mods[1] === 0 && from.mods.length === 2
      ? checked('the numeric has no fractional digits; values out of range would have failed the migration.')
      : lossy(`casting numeric to ${to.base} rounds away the fractional digits.`);
  }
  if (from.base === 'numeric' && FLOAT_MANTISSA_BITS[to.base]) {
    return lossy(`${to.base} keeps only ${to.base === 'real' ? 6 : 15} significant digits of a numeric.`);
  }
  const fromMantissa = FLOAT_MANTISSA_BITS[from.base];
  const toMantissa = FLOAT_MANTISSA_BITS[to.base];
  if (fromMantissa && toMantissa) {
    return toMantissa >= fromMantissa ? widening('double precision holds every real value exactly.') : lossy('real keeps only about 6 significant digits of a double precision value.');
  }
  if (fromMantissa && to.base === 'numeric') {
    // float8 → numeric prints the value with DBL_DIG (15) significant digits, float4 with FLT_DIG (6): 0.1 + 0.2
    // becomes 0.3 (checked on PostgreSQL 15 and 18 by test/adversarial/cast-claims.test.ts).
    return to.mods.length > 0
      ? lossy('a constrained numeric rounds floating-point values.')
      : lossy(`numeric keeps only ${from.base === 'real' ? 6 : 15} significant digits of a ${from.base} value.`);
  }
  if (fromMantissa && toBits) return lossy(`casting ${from.base} to ${to.base} rounds away the fractional part.`);

  // Strings.
  if (STRING_TYPES.has(from.base) && STRING_TYPES.has(to.base)) return classifyStrings(from, to, conversion);
  if (STRING_TYPES.has(to.base)) {
    const setting = SESSION_TEXT[from.base];
    if (setting) {
      return { kind: 'session-dependent', why: `the text form of ${from.base} depends on the session's ${setting}; under another setting the values do not read back the same.` };
    }
    if (!CANONICAL_TEXT.has(from.base)) {
      return { kind: 'unknown', why: `it is not known whether every ${from.base} value reads back from its text form.` };
    }
    const bound = to.base === 'text' ? undefined : to.mods[0];
    if (bound !== undefined && conversion === 'plain-cast') {
      return lossy(`the explicit cast to ${to.base}(${bound}) truncates longer text silently.`);
    }
    return checked(`every ${from.base} value reads back from its text form.`);
  }
  if (STRING_TYPES.has(from.base)) {
    return {
      kind: 'normalizing',
      why: `converting text to ${to.base} re-renders the values (for example '007' becomes 7), so the original text may not come back.`,
    };
  }

  // Date and time.
  const fromTime = TIME_TYPES[from.base];
  const toTime = TIME_TYPES[to.base];
  if (fromTime && toTime) {
    if (fromTime === toTime) {
      const fromPrecision = from.mods[0] ?? 6;
      const toPrecision = to.mods[0] ?? 6;
      return toPrecision >= fromPrecision
        ? widening('the new precision keeps every fraction of a second.')
        : lossy(`fractions of a second are rounded to ${toPrecision} digits.`);
    }
    if ((fromTime === 'timestamp' && toTime === 'timestamptz') || (fromTime === 'timestamptz' && toTime === 'timestamp')) {
      return {
        kind: 'session-dependent',
        why: "the conversion uses the session's TimeZone setting; reverting with another setting shifts every value.",
      };
    }
    if (fromTime.startsWith('timestamp') && toTime.startsWith('time')) return lossy('the date part of each value is dropped.');
    return { kind: 'unknown', why: `converting ${from.base} to ${to.base} is not classified.` };
  }
  if (fromTime?.startsWith('timestamp') && to.base === 'date') return lossy('the time of day is dropped from every value.');
  // date reaches 5874897 AD, timestamp only 294276 AD: later dates make the migration fail.
  if (from.base === 'date' && toTime === 'timestamp') return checked('dates convert to midnight and back exactly; dates beyond the timestamp range would have made the migration fail.');
  if (from.base === 'date' && toTime === 'timestamptz') {
    return { kind: 'session-dependent', why: "dates become midnight in the session's time zone; reverting in another zone can change the date." };
  }

  // JSON.
  if (from.base === 'json' && to.base === 'jsonb') {
    return { kind: 'normalizing', why: 'jsonb does not keep key order, white space or duplicate keys of the original json text.' };
  }
  if (from.base === 'jsonb' && to.base === 'json') return checked('every jsonb value reads back from its json text.');

  return { kind: 'unknown', why: `converting ${from.base} to ${to.base} is not classified; the values may not convert back.` };
}

function classifyNumeric(from: ParsedType, to: ParsedType): CastClass {
  const [toPrecision, toScale = 0] = to.mods;
  const [fromPrecision, fromScale = 0] = from.mods;
  if (toPrecision === undefined) return { kind: 'widening', why: 'unconstrained numeric holds every value exactly.' };
  if (fromPrecision === undefined || toScale < fromScale) {
    return { kind: 'lossy', why: `numeric(${to.mods.join(',')}) rounds values to ${toScale} decimal places.` };
  }
  if (toPrecision - toScale >= fromPrecision - fromScale) {
    return { kind: 'widening', why: 'the new precision and scale hold every old value exactly.' };
  }
  return { kind: 'checked', why: 'values with too many integer digits would have made the migration fail.' };
}

function classifyStrings(from: ParsedType, to: ParsedType, conversion: Conversion): CastClass {
  const toBound = UNBOUNDED_TEXT.has(to.base) ? undefined : to.mods[0];
  const fromBound = UNBOUNDED_TEXT.has(from.base) ? undefined : from.mods[0];
  if (from.base === 'character' && to.base !== 'character') {
    return { kind: 'checked', why: 'character(n) loses only its insignificant trailing blanks, which padding restores.' };
  }
  if (to.base === 'character' && from.base !== 'character') {
    return { kind: 'normalizing', why: 'character(n) pads values with blanks; trailing blanks of the original text are not kept.' };
  }
  if (toBound === undefined || (fromBound !== undefined && toBound >= fromBound)) {
    return { kind: 'widening', why: 'the new type holds every old value.' };
  }
  if (conversion === 'plain-cast') {
    return { kind: 'lossy', why: `the explicit cast to ${to.base}(${toBound}) truncates longer values silently.` };
  }
  if (from.base === 'character') {
    return { kind: 'checked', why: 'character(n) values lose only their trailing blanks, which padding restores; longer values would have made the migration fail.' };
  }
  // An assignment cast raises an error for a longer value, except when the excess characters are blanks:
  // those are cut silently ('abc   ' becomes 'abc' in varchar(3)).
  return { kind: 'normalizing', why: `values longer than ${toBound} characters would have made the migration fail, but trailing blanks beyond ${toBound} are cut silently.` };
}

/** A USING clause is needed when Postgres has no assignment cast from the new type back to the old. */
function needsUsing(oldText: string, newText: string): boolean {
  const from = parseTypeText(newText);
  const to = parseTypeText(oldText);
  // Every type converts to a string type by an assignment cast; an explicit one would truncate silently.
  if (STRING_TYPES.has(to.base)) return false;
  const numeric = (type: ParsedType) => Boolean(INTEGER_BITS[type.base] || FLOAT_MANTISSA_BITS[type.base]) || type.base === 'numeric';
  if (numeric(from) && numeric(to)) return false;
  const time = (type: ParsedType) => Boolean(TIME_TYPES[type.base]) || type.base === 'date';
  if (time(from) && time(to)) return false;
  return true;
}
