/** Reading a schema from the PostgreSQL catalog, and comparing two readings. */
export type { Queryable } from './queryable.js';
export { readSchemaSnapshot, type ReadSchemaSnapshotOptions } from './read/index.js';
export {
  qualifiedName,
  functionKey,
  type SchemaSnapshot,
  type SchemaInfo,
  type ExtensionInfo,
  type EnumTypeInfo,
  type CompositeTypeInfo,
  type CompositeAttributeInfo,
  type DomainInfo,
  type DomainConstraintInfo,
  type RangeTypeInfo,
  type BaseTypeInfo,
  type SequenceInfo,
  type Persistence,
  type TableInfo,
  type ColumnInfo,
  type ViewInfo,
  type MaterializedViewInfo,
  type IndexInfo,
  type ConstraintType,
  type ConstraintInfo,
  type TriggerInfo,
  type PolicyInfo,
  type FunctionInfo,
} from './snapshot.js';
export { diffSnapshots, formatDifferences, type DiffOptions, type SchemaChange, type SchemaDifference } from './diff.js';
