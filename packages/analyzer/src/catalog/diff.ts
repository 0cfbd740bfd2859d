/**
 * Exact, property-by-property differences between two schema snapshots: what a rehearsal (apply a migration,
 * then its rollback) uses to tell whether the schema came back.
 *
 * - Every object kind of the snapshot is compared; an object is `added`, `removed`, or `changed` once per
 *   property that differs, with the property's value before and after as text.
 * - Objects that go with a parent that is itself added or removed are folded into it: dropping a table reports
 *   `- table public.orders`, not also each of its columns, constraints, indexes, triggers and policies (and
 *   the same for everything in an added or removed schema). Their existence follows from the parent's.
 * - Column order is not a difference unless asked for: a dropped and re-added column lands at the end, and
 *   nothing in SQL that names its columns can tell.
 * - The order is deterministic: by object type (schemas first, functions last), then object identity, then
 *   property in declaration order.
 */
import {
  compareKeys,
  qualifiedName,
  type ColumnInfo,
  type CompositeTypeInfo,
  type DomainConstraintInfo,
  type FunctionInfo,
  type SchemaSnapshot,
  type SequenceInfo,
} from './snapshot.js';
import { quoteLiteral } from '../sql/quote.js';

export type SchemaChange = 'added' | 'removed' | 'changed';

export interface SchemaDifference {
  /** e.g. `table`, `column`, `index`, `constraint`, `function`, `procedure`, `domain constraint`. */
  objectType: string;
  /** The object's identity as in the snapshot's keys, e.g. `public.users.age`, `public.add(a integer, b integer)`. */
  object: string;
  change: SchemaChange;
  /** For `changed`: the snapshot property that differs (`type`, `notNull`, `default`, `definition`…). */
  property?: string;
  /** For `changed`: the old value (absent when there was none); for `removed`: a summary of the object, if any. */
  before?: string;
  /** For `changed`: the new value (absent when there is none); for `added`: a summary of the object, if any. */
  after?: string;
}

export interface DiffOptions {
  /** Also report columns whose position (order among the live columns) changed, as `position`. Default: false. */
  includeColumnOrder?: boolean;
}

export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot, options: DiffOptions = {}): SchemaDifference[] {
  const found = OBJECT_KINDS.flatMap((kind) => kind.diff(before, after, options));
  const appearedOrVanished = new Set(
    found.filter((difference) => difference.change !== 'changed').map((difference) => parentKey(difference)),
  );
  return found
    .filter((difference) => !difference.parents.some((parent) => appearedOrVanished.has(parentKey(parent))))
    .map(({ parents: _parents, ...difference }) => difference);
}

// ─── How each kind of object is compared ───────────────────────────────────────────────────────────────────

/** An object whose appearance or disappearance implies this one's, e.g. the table of a column. */
interface Parent {
  objectType: string;
  object: string;
}

interface FoundDifference extends SchemaDifference {
  parents: Parent[];
}

interface ObjectKind {
  diff(before: SchemaSnapshot, after: SchemaSnapshot, options: DiffOptions): FoundDifference[];
}

interface ObjectKindSpec<T extends object> {
  objectType: string | ((object: T) => string);
  /** The objects of this kind in a snapshot, by identity. */
  objects(snapshot: SchemaSnapshot): Array<[identity: string, object: T]>;
  /** The properties compared, in reporting order. */
  properties: ReadonlyArray<keyof T & string>;
  /** Extra properties compared only when an option asks for them. */
  optionalProperties?(options: DiffOptions): ReadonlyArray<keyof T & string>;
  /** How a property is shown, when the default (strings as is, lists comma-separated) does not fit. */
  render?: { [P in keyof T]?: (value: T[P]) => string | undefined };
  /** A one-line (or, for code, multi-line) description of an added or removed object. */
  summary?(object: T): string | undefined;
  parents(identity: string, object: T): Parent[];
}

function objectKind<T extends object>(spec: ObjectKindSpec<T>): ObjectKind {
  const typeOf = (object: T): string =>
    typeof spec.objectType === 'string' ? spec.objectType : spec.objectType(object);
  const renderProperty = <P extends keyof T & string>(property: P, value: T[P]): string | undefined => {
    const render = spec.render?.[property];
    return render ? render(value) : renderValue(value);
  };
  return {
    diff(before, after, options) {
      const beforeObjects = new Map(spec.objects(before));
      const afterObjects = new Map(spec.objects(after));
      const identities = [...new Set([...beforeObjects.keys(), ...afterObjects.keys()])].sort(compareKeys);
      const properties = [...spec.properties, ...(spec.optionalProperties?.(options) ?? [])];
      const differences: FoundDifference[] = [];
      for (const identity of identities) {
        const old = beforeObjects.get(identity);
        const current = afterObjects.get(identity);
        if (old === undefined && current !== undefined) {
          differences.push(
            withoutUndefined({
              objectType: typeOf(current),
              object: identity,
              change: 'added',
              after: spec.summary?.(current),
              parents: spec.parents(identity, current),
            }),
          );
        } else if (old !== undefined && current === undefined) {
          differences.push(
            withoutUndefined({
              objectType: typeOf(old),
              object: identity,
              change: 'removed',
              before: spec.summary?.(old),
              parents: spec.parents(identity, old),
            }),
          );
        } else if (old !== undefined && current !== undefined) {
          for (const property of properties) {
            const oldValue = renderProperty(property, old[property]);
            const newValue = renderProperty(property, current[property]);
            if (oldValue === newValue) continue;
            differences.push(
              withoutUndefined({
                objectType: typeOf(current),
                object: identity,
                change: 'changed',
                property,
                before: oldValue,
                after: newValue,
                parents: spec.parents(identity, current),
              }),
            );
          }
        }
      }
      return differences;
    },
  };
}

/** Default rendering: absent and empty values are "none" (undefined); lists are comma-separated. */
function renderValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((item) => String(item)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Optional properties are left out rather than set to undefined, so results compare cleanly with toEqual. */
function withoutUndefined(difference: FoundDifference): FoundDifference {
  const result = { ...difference };
  for (const key of ['property', 'before', 'after'] as const) {
    if (result[key] === undefined) delete result[key];
  }
  return result;
}

function parentKey(parent: Parent): string {
  return `${parent.objectType}\u0000${parent.object}`;
}

function inSchema(schema: string): Parent {
  return { objectType: 'schema', object: schema };
}

function entries<T>(record: Record<string, T>): Array<[string, T]> {
  return Object.entries(record);
}

/** The columns of every relation of one kind, keyed `schema.relation.column`. */
function columnsOf(
  relations: Record<string, { schema: string; columns: Record<string, ColumnInfo> }>,
  relationType: string,
): Array<[string, ColumnInfo & { parents: Parent[] }]> {
  return entries(relations).flatMap(([relationKey, relation]) =>
    entries(relation.columns).map(([name, column]): [string, ColumnInfo & { parents: Parent[] }] => [
      `${relationKey}.${qualifiedName(name)}`,
      { ...column, parents: [inSchema(relation.schema), { objectType: relationType, object: relationKey }] },
    ]),
  );
}

function describeColumn(column: ColumnInfo): string {
  return [
    column.type,
    column.collation ? `COLLATE ${column.collation}` : '',
    column.identity ? `GENERATED ${column.identity.toUpperCase()} AS IDENTITY` : '',
    column.generated ? `GENERATED ALWAYS AS ${column.generated}` : '',
    column.notNull ? 'NOT NULL' : '',
    column.default !== null ? `DEFAULT ${column.default}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function describeAttributes(attributes: CompositeTypeInfo['attributes']): string {
  return attributes
    .map((attribute) => `${qualifiedName(attribute.name)} ${attribute.type}${attribute.collation ? ` COLLATE ${attribute.collation}` : ''}`)
    .join(', ');
}

function describeSequence(sequence: SequenceInfo): string {
  return [
    `AS ${sequence.dataType}`,
    `INCREMENT ${sequence.increment}`,
    `MINVALUE ${sequence.minValue}`,
    `MAXVALUE ${sequence.maxValue}`,
    `START ${sequence.start}`,
    `CACHE ${sequence.cache}`,
    sequence.cycle ? 'CYCLE' : 'NO CYCLE',
    sequence.ownedBy ? `OWNED BY ${sequence.ownedBy}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

const FUNCTION_OBJECT_TYPES: Record<FunctionInfo['kind'], string> = {
  function: 'function',
  window: 'function',
  procedure: 'procedure',
  aggregate: 'aggregate',
};

const COLUMN_PROPERTIES = [
  'type',
  'notNull',
  'default',
  'identity',
  'generated',
  'collation',
  'storage',
  'compression',
  'privileges',
  'comment',
] as const satisfies ReadonlyArray<keyof ColumnInfo>;

function columnKind(objectsOf: (snapshot: SchemaSnapshot) => Array<[string, ColumnInfo & { parents: Parent[] }]>): ObjectKind {
  return objectKind<ColumnInfo & { parents: Parent[] }>({
    objectType: 'column',
    objects: objectsOf,
    properties: COLUMN_PROPERTIES,
    optionalProperties: (options) => (options.includeColumnOrder ? ['position'] : []),
    summary: describeColumn,
    parents: (_identity, column) => column.parents,
  });
}

/** In reporting order. */
const OBJECT_KINDS: ObjectKind[] = [
  objectKind({
    objectType: 'schema',
    objects: (snapshot) => entries(snapshot.schemas),
    properties: ['owner', 'privileges', 'comment'],
    parents: () => [],
  }),
  objectKind({
    objectType: 'extension',
    objects: (snapshot) => entries(snapshot.extensions),
    properties: ['version', 'schema'],
    summary: (extension) => `version ${extension.version} in schema ${extension.schema}`,
    parents: () => [],
  }),
  objectKind({
    objectType: 'enum',
    objects: (snapshot) => entries(snapshot.enums),
    properties: ['labels', 'owner', 'privileges', 'comment'],
    render: { labels: (labels) => labels.map(quoteLiteral).join(', ') },
    summary: (type) => type.labels.map(quoteLiteral).join(', '),
    parents: (_identity, type) => [inSchema(type.schema)],
  }),
  objectKind({
    objectType: 'composite type',
    objects: (snapshot) => entries(snapshot.compositeTypes),
    properties: ['attributes', 'owner', 'privileges', 'comment'],
    render: {
      attributes: (attributes) => {
        const described = describeAttributes(attributes);
        const comments = attributes
          .filter((attribute) => attribute.comment !== null)
          .map((attribute) => `${qualifiedName(attribute.name)}: ${attribute.comment ?? ''}`);
        return comments.length > 0 ? `${described} (comments: ${comments.join('; ')})` : described;
      },
    },
    summary: (type) => `(${describeAttributes(type.attributes)})`,
    parents: (_identity, type) => [inSchema(type.schema)],
  }),
  objectKind({
    objectType: 'domain',
    objects: (snapshot) => entries(snapshot.domains),
    properties: ['baseType', 'notNull', 'default', 'collation', 'owner', 'privileges', 'comment'],
    summary: (domain) =>
      [domain.baseType, domain.notNull ? 'NOT NULL' : '', domain.default !== null ? `DEFAULT ${domain.default}` : '']
        .filter(Boolean)
        .join(' '),
    parents: (_identity, domain) => [inSchema(domain.schema)],
  }),
  objectKind<DomainConstraintInfo & { parents: Parent[] }>({
    objectType: 'domain constraint',
    objects: (snapshot) =>
      entries(snapshot.domains).flatMap(([domainKey, domain]) =>
        entries(domain.constraints).map(([name, constraint]): [string, DomainConstraintInfo & { parents: Parent[] }] => [
          `${domainKey}.${qualifiedName(name)}`,
          { ...constraint, parents: [inSchema(domain.schema), { objectType: 'domain', object: domainKey }] },
        ]),
      ),
    properties: ['definition', 'validated', 'comment'],
    summary: (constraint) => constraint.definition,
    parents: (_identity, constraint) => constraint.parents,
  }),
  objectKind({
    objectType: 'range type',
    objects: (snapshot) => entries(snapshot.rangeTypes),
    properties: [
      'subtype',
      'subtypeOperatorClass',
      'collation',
      'canonicalFunction',
      'subtypeDiffFunction',
      'multirangeType',
      'owner',
      'privileges',
      'comment',
    ],
    summary: (type) => `subtype ${type.subtype}`,
    parents: (_identity, type) => [inSchema(type.schema)],
  }),
  objectKind({
    objectType: 'base type',
    objects: (snapshot) => entries(snapshot.baseTypes),
    properties: [
      'shell',
      'inputFunction',
      'outputFunction',
      'receiveFunction',
      'sendFunction',
      'internalLength',
      'passedByValue',
      'alignment',
      'storage',
      'category',
      'owner',
      'privileges',
      'comment',
    ],
    summary: (type) => (type.shell ? 'shell type' : `input ${type.inputFunction ?? '-'}, output ${type.outputFunction ?? '-'}`),
    parents: (_identity, type) => [inSchema(type.schema)],
  }),
  objectKind({
    objectType: 'sequence',
    objects: (snapshot) => entries(snapshot.sequences),
    properties: [
      'dataType',
      'start',
      'increment',
      'minValue',
      'maxValue',
      'cache',
      'cycle',
      'persistence',
      'ownedBy',
      'owner',
      'privileges',
      'comment',
    ],
    summary: describeSequence,
    // A serial or identity column's sequence comes and goes with its column (and table).
    parents: (_identity, sequence) => {
      const parents = [inSchema(sequence.schema)];
      if (sequence.ownedBy) {
        parents.push({ objectType: 'column', object: sequence.ownedBy });
        parents.push({ objectType: 'table', object: parentIdentity(sequence.ownedBy) });
      }
      return parents;
    },
  }),
  objectKind({
    objectType: 'table',
    objects: (snapshot) => entries(snapshot.tables),
    properties: [
      'kind',
      'persistence',
      'partitionKey',
      'partitionOf',
      'partitionBound',
      'inherits',
      'rowLevelSecurity',
      'forceRowLevelSecurity',
      'options',
      'tablespace',
      'accessMethod',
      'replicaIdentity',
      'foreignServer',
      'foreignOptions',
      'owner',
      'privileges',
      'comment',
    ],
    parents: (_identity, table) => [inSchema(table.schema)],
  }),
  columnKind((snapshot) => columnsOf(snapshot.tables, 'table')),
  objectKind({
    objectType: 'view',
    objects: (snapshot) => entries(snapshot.views),
    properties: ['definition', 'options', 'owner', 'privileges', 'comment'],
    summary: (view) => view.definition,
    parents: (_identity, view) => [inSchema(view.schema)],
  }),
  columnKind((snapshot) => columnsOf(snapshot.views, 'view')),
  objectKind({
    objectType: 'materialized view',
    objects: (snapshot) => entries(snapshot.materializedViews),
    properties: ['definition', 'options', 'populated', 'tablespace', 'accessMethod', 'owner', 'privileges', 'comment'],
    summary: (view) => view.definition,
    parents: (_identity, view) => [inSchema(view.schema)],
  }),
  columnKind((snapshot) => columnsOf(snapshot.materializedViews, 'materialized view')),
  objectKind({
    objectType: 'index',
    objects: (snapshot) => entries(snapshot.indexes),
    properties: [
      'table',
      'definition',
      'constraint',
      'valid',
      'clustered',
      'replicaIdentity',
      'tablespace',
      'partitionOf',
      'comment',
    ],
    summary: (index) => index.definition,
    // The relation is a table or a materialized view; only the one that exists will ever match.
    parents: (_identity, index) => [
      inSchema(index.schema),
      { objectType: 'table', object: index.table },
      { objectType: 'materialized view', object: index.table },
    ],
  }),
  objectKind({
    objectType: 'constraint',
    objects: (snapshot) => entries(snapshot.constraints),
    properties: ['type', 'definition', 'deferrable', 'initiallyDeferred', 'validated', 'comment'],
    summary: (constraint) => constraint.definition,
    parents: (_identity, constraint) => [inSchema(constraint.schema), { objectType: 'table', object: constraint.table }],
  }),
  objectKind({
    objectType: 'trigger',
    objects: (snapshot) => entries(snapshot.triggers),
    properties: ['definition', 'enabled', 'comment'],
    summary: (trigger) => trigger.definition,
    parents: (_identity, trigger) => [
      inSchema(trigger.schema),
      { objectType: 'table', object: trigger.table },
      { objectType: 'view', object: trigger.table },
    ],
  }),
  objectKind({
    objectType: 'policy',
    objects: (snapshot) => entries(snapshot.policies),
    properties: ['command', 'permissive', 'roles', 'using', 'withCheck', 'comment'],
    summary: (policy) =>
      [
        policy.permissive ? 'AS PERMISSIVE' : 'AS RESTRICTIVE',
        `FOR ${policy.command}`,
        `TO ${policy.roles.join(', ')}`,
        policy.using !== null ? `USING ${policy.using}` : '',
        policy.withCheck !== null ? `WITH CHECK ${policy.withCheck}` : '',
      ]
        .filter(Boolean)
        .join(' '),
    parents: (_identity, policy) => [inSchema(policy.schema), { objectType: 'table', object: policy.table }],
  }),
  objectKind<FunctionInfo>({
    objectType: (fn) => FUNCTION_OBJECT_TYPES[fn.kind],
    objects: (snapshot) => entries(snapshot.functions),
    properties: ['kind', 'definition', 'owner', 'privileges', 'comment'],
    summary: (fn) => fn.definition,
    parents: (_identity, fn) => [inSchema(fn.schema)],
  }),
];

/** `public.users.id` → `public.users` (names may be double-quoted and contain dots). */
function parentIdentity(identity: string): string {
  const parts = splitIdentity(identity);
  return parts.slice(0, -1).join('.');
}

/** Splits an identity into its (still quoted, where they were) parts. */
function splitIdentity(identity: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < identity.length; i++) {
    const char = identity[i];
    if (char === '"') {
      if (quoted && identity[i + 1] === '"') {
        current += '""';
        i++;
        continue;
      }
      quoted = !quoted;
      current += char;
    } else if (char === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

// ─── Text for people ───────────────────────────────────────────────────────────────────────────────────────

const CHANGE_MARKS: Record<SchemaChange, string> = { added: '+', removed: '-', changed: '~' };
const NONE = '(none)';
const INDENT = '    ';

/**
 * One line per difference, e.g.
 *
 *     ~ column public.users.age: type integer → bigint
 *     + index public.users_email_idx: CREATE INDEX users_email_idx ON public.users USING btree (email)
 *     - table public.orders
 *
 * Multi-line values (function bodies, view queries) follow their line, indented; a changed one as a line diff.
 * No differences give an empty string.
 */
export function formatDifferences(differences: SchemaDifference[]): string {
  return differences.map(formatDifference).join('\n');
}

function formatDifference(difference: SchemaDifference): string {
  const head = `${CHANGE_MARKS[difference.change]} ${difference.objectType} ${difference.object}`;
  if (difference.change !== 'changed') {
    const summary = difference.change === 'added' ? difference.after : difference.before;
    if (summary === undefined || summary === '') return head;
    if (!summary.includes('\n')) return `${head}: ${summary}`;
    return `${head}\n${indent(summary.split('\n'))}`;
  }
  const property = humanise(difference.property ?? 'definition');
  const { before, after } = difference;
  if (before?.includes('\n') || after?.includes('\n')) {
    return `${head}: ${property} changed\n${lineDiff(before ?? '', after ?? '')}`;
  }
  return `${head}: ${property} ${before ?? NONE} → ${after ?? NONE}`;
}

/** `notNull` → `not null`, `rowLevelSecurity` → `row level security`. */
function humanise(property: string): string {
  return property.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function indent(lines: string[]): string {
  return lines.map((line) => `${INDENT}${line}`).join('\n');
}

/** A plain line diff (longest common subsequence): unchanged lines as context, `-`/`+` for the others. */
function lineDiff(before: string, after: string): string {
  const oldLines = before === '' ? [] : before.split('\n');
  const newLines = after === '' ? [] : after.split('\n');
  // common[i][j]: length of the longest common subsequence of oldLines[i..] and newLines[j..].
  const common: number[][] = Array.from({ length: oldLines.length + 1 }, () => new Array<number>(newLines.length + 1).fill(0));
  for (let i = oldLines.length - 1; i >= 0; i--) {
    for (let j = newLines.length - 1; j >= 0; j--) {
      common[i]![j] =
        oldLines[i] === newLines[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < oldLines.length || j < newLines.length) {
    if (i < oldLines.length && j < newLines.length && oldLines[i] === newLines[j]) {
      out.push(`${INDENT}  ${oldLines[i]}`);
      i++;
      j++;
    } else if (i < oldLines.length && (j >= newLines.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      out.push(`${INDENT}- ${oldLines[i]}`);
      i++;
    } else {
      out.push(`${INDENT}+ ${newLines[j]}`);
      j++;
    }
  }
  return out.join('\n');
}
