/**
 * Function calls a statement runs now, and whether they can leave anything behind. A backfill or a query that
 * calls nextval() moves a sequence, and a user function may write anywhere: the DROP that undoes the backfill
 * does not undo that. Only built-in functions known to change nothing persistent are harmless.
 */
import type { FuncCall } from 'libpg-query';
import { forEachNode, payload, strings } from './ast.js';

/** Built-in functions (pg_catalog) that read their arguments and change nothing that persists. */
const HARMLESS = new Set([
  'lower', 'upper', 'initcap', 'trim', 'btrim', 'ltrim', 'rtrim', 'length', 'char_length', 'character_length',
  'octet_length', 'bit_length', 'substr', 'substring', 'left', 'right', 'replace', 'translate', 'concat', 'concat_ws',
  'format', 'md5', 'sha224', 'sha256', 'sha384', 'sha512', 'encode', 'decode', 'split_part', 'strpos', 'position',
  'lpad', 'rpad', 'repeat', 'reverse', 'starts_with', 'ascii', 'chr', 'to_hex', 'quote_ident', 'quote_literal',
  'quote_nullable', 'regexp_replace', 'regexp_match', 'regexp_matches', 'regexp_split_to_array', 'regexp_like',
  'string_to_array', 'array_to_string', 'array_length', 'array_position', 'array_remove', 'array_append',
  'array_prepend', 'array_cat', 'cardinality', 'unnest', 'generate_series', 'abs', 'round', 'floor', 'ceil',
  'ceiling', 'trunc', 'mod', 'power', 'sqrt', 'sign', 'div', 'now', 'clock_timestamp', 'statement_timestamp',
  'transaction_timestamp', 'timeofday', 'date_trunc', 'date_part', 'extract', 'to_char', 'to_date', 'to_timestamp',
  'to_number', 'age', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'timezone',
  'isfinite', 'justify_days', 'justify_hours', 'justify_interval', 'random', 'gen_random_uuid', 'uuidv4', 'uuidv7',
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'json_agg',
  'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'row_number', 'rank', 'dense_rank', 'lag', 'lead',
  'first_value', 'last_value', 'nth_value', 'ntile', 'percent_rank', 'cume_dist', 'num_nulls', 'num_nonnulls',
  'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'to_json', 'to_jsonb',
  'row_to_json', 'jsonb_set', 'jsonb_insert', 'jsonb_typeof', 'json_typeof', 'jsonb_extract_path',
  'jsonb_extract_path_text', 'json_extract_path', 'json_extract_path_text', 'jsonb_array_elements',
  'jsonb_array_elements_text', 'json_array_elements', 'jsonb_each', 'jsonb_each_text', 'jsonb_strip_nulls',
  'jsonb_pretty', 'jsonb_array_length', 'json_array_length', 'jsonb_object_keys', 'date', 'pg_typeof',
  'format_type', 'current_setting', 'coalesce', 'nullif', 'greatest', 'least', 'int4', 'int8', 'text', 'numeric',
]);

/** The functions a subtree calls that may change something persistent (schema-qualified when written so). */
export function unknownFunctionCalls(tree: unknown): string[] {
  const found = new Set<string>();
  forEachNode(tree, (key, child) => {
    if (key !== 'FuncCall') return;
    const names = strings(payload<FuncCall>({ FuncCall: child } as never, 'FuncCall')?.funcname);
    const builtin = names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog');
    const name = names.at(-1) ?? '';
    if (!builtin || !HARMLESS.has(name)) found.add(names.join('.'));
  });
  return [...found];
}
