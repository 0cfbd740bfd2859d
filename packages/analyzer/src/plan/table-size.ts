/**
 * The size of a table on the target database, said next to a rollback step that scans or rewrites it
 * ("rewrites public.users, 2.3 GB, ~41M rows"). Read by state/table-sizes.ts.
 */

export interface TableSize {
  bytes: number;
  /** The planner's estimate; -1 when the table was never vacuumed or analyzed. */
  rows: number;
}

/** "2.3 GB, ~41M rows"; "row count unknown: never analyzed" when the statistics have no row count. */
export function describeSize(size: TableSize): string {
  const rows = size.rows < 0 ? 'row count unknown: never analyzed' : `~${compact(size.rows)} rows`;
  return `${bytes(size.bytes)}, ${rows}`;
}

function bytes(value: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit++;
  }
  return unit === 0 ? `${amount} bytes` : `${amount < 10 ? amount.toFixed(1) : Math.round(amount)} ${units[unit]}`;
}

function compact(value: number): string {
  const rounded = Math.round(value);
  if (rounded >= 1e9) return `${(rounded / 1e9).toFixed(1).replace(/\.0$/, '')}G`;
  if (rounded >= 1e6) return `${(rounded / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  if (rounded >= 1e3) return `${(rounded / 1e3).toFixed(1).replace(/\.0$/, '')}k`;
  return String(rounded);
}
