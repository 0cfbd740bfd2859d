/**
 * Each migration tool's own version order. They differ, and a wrong order replays a history the tool never ran:
 * diesel compares the version with its dashes removed, as text; golang-migrate, sqlx and goose parse an integer;
 * Flyway compares dotted versions part by part, as numbers; dbmate compares the version as text; Prisma orders
 * its folders by name; plain folders are ordered naturally (digit runs as numbers).
 */

/** Byte order of the UTF-8 encodings, as Rust and Go compare strings. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Integer versions of any length (golang-migrate's uint64, goose's int64, sqlx's i64). */
export function compareIntegers(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** diesel: the version is the folder name up to its first `_`, dashes removed, compared as text. */
export function dieselVersionKey(version: string): string {
  return version.replace(/-/g, '');
}

/** Flyway: `1.10` after `1.9`, `1.9.1` between them; missing parts are zeros (`1` equals `1.0`). */
export function compareFlywayVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => BigInt(part));
  const right = b.split('.').map((part) => BigInt(part));
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [x, y] = [left[i] ?? 0n, right[i] ?? 0n];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Natural order: runs of digits compare as numbers ("2_x" before "10_x", "1.9" before "1.10"), the rest
 * by code point. (Intl.Collator does the same but costs ~20 ms of ICU start-up on every lint run.)
 */
export function compareText(a: string, b: string): number {
  const chunk = /(\d+)|(\D+)/g;
  const left = a.match(chunk) ?? [];
  const right = b.match(chunk) ?? [];
  let leadingZeros = 0; // equal numbers written differently ("001" and "1"): the shorter first, if all else is equal
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const [m, n] = [x.replace(/^0+/, ''), y.replace(/^0+/, '')];
      if (m.length !== n.length) return m.length - n.length;
      if (m !== n) return m < n ? -1 : 1;
      leadingZeros ||= x.length - y.length;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length || leadingZeros;
}
