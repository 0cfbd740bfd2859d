/**
 * Migration directory layouts. Each layout knows how to recognise its files in a directory listing
 * and how to pair them into migrations {version, name, up, down?}. Order is by version, numeric-aware.
 */
export type LayoutName = 'diesel' | 'prisma' | 'flyway' | 'golang-migrate' | 'dbmate' | 'plain' | 'file';

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
  /** For directories: the names of the files inside (one level). */
  children?: string[];
}

/** Where a migration's SQL lives; `section` selects a part of a file (dbmate keeps up and down in one). */
export interface SqlLocation {
  /** Path relative to the migrations directory. */
  file: string;
  section?: 'up' | 'down';
}

export interface MigrationEntry {
  version: string;
  name: string;
  up: SqlLocation;
  down?: SqlLocation;
}

export interface Layout {
  name: LayoutName;
  /** Returns the migrations it recognises in a directory, or none. `peek` reads a file's start. */
  list(entries: DirectoryEntry[], peek: (file: string) => string): MigrationEntry[];
}

const diesel: Layout = {
  name: 'diesel',
  list: (entries) =>
    entries.flatMap((entry) => {
      const match = /^(\d[\d-]*)_(.+)$/.exec(entry.name);
      if (!entry.isDirectory || !match || !entry.children?.includes('up.sql')) return [];
      return [
        {
          version: match[1]!,
          name: match[2]!,
          up: { file: `${entry.name}/up.sql` },
          ...(entry.children.includes('down.sql') ? { down: { file: `${entry.name}/down.sql` } } : {}),
        },
      ];
    }),
};

const prisma: Layout = {
  name: 'prisma',
  list: (entries) =>
    entries.flatMap((entry) => {
      const match = /^(\d+)_(.+)$/.exec(entry.name);
      if (!entry.isDirectory || !match || !entry.children?.includes('migration.sql')) return [];
      return [{ version: match[1]!, name: match[2]!, up: { file: `${entry.name}/migration.sql` } }];
    }),
};

const flyway: Layout = {
  name: 'flyway',
  list: (entries) => {
    const files = entries.filter((entry) => !entry.isDirectory).map((entry) => entry.name);
    const undo = new Map<string, string>();
    for (const file of files) {
      const match = /^U(\d+(?:[._]\d+)*)__(.+)\.sql$/.exec(file);
      if (match) undo.set(flywayVersion(match[1]!), file);
    }
    const versioned = files.flatMap((file) => {
      const match = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/.exec(file);
      if (!match) return [];
      const version = flywayVersion(match[1]!);
      const down = undo.get(version);
      return [{ version, name: match[2]!, up: { file }, ...(down ? { down: { file: down } } : {}) }];
    });
    // Repeatable migrations run after the versioned ones, ordered by description.
    const repeatable = files
      .flatMap((file) => {
        const match = /^R__(.+)\.sql$/.exec(file);
        return match ? [{ version: 'R', name: match[1]!, up: { file } }] : [];
      })
      .sort((a, b) => compareText(a.name, b.name));
    return versioned.length + repeatable.length > 0 ? [...sortByVersion(versioned), ...repeatable] : [];
  },
};

function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.');
}

const golangMigrate: Layout = {
  name: 'golang-migrate',
  list: (entries) => {
    const files = new Set(entries.filter((entry) => !entry.isDirectory).map((entry) => entry.name));
    return [...files].flatMap((file) => {
      const match = /^(\d+)_(.+)\.up\.sql$/.exec(file);
      if (!match) return [];
      const downFile = `${match[1]}_${match[2]}.down.sql`;
      return [
        {
          version: match[1]!,
          name: match[2]!,
          up: { file },
          ...(files.has(downFile) ? { down: { file: downFile } } : {}),
        },
      ];
    });
  },
};

const DBMATE_UP = /^--\s*migrate:up\b/m;

const dbmate: Layout = {
  name: 'dbmate',
  list: (entries, peek) =>
    entries.flatMap((entry) => {
      const match = /^(\d+)_(.+)\.sql$/.exec(entry.name);
      if (entry.isDirectory || !match || !DBMATE_UP.test(peek(entry.name))) return [];
      return [
        {
          version: match[1]!,
          name: match[2]!,
          up: { file: entry.name, section: 'up' as const },
          down: { file: entry.name, section: 'down' as const },
        },
      ];
    }),
};

const plain: Layout = {
  name: 'plain',
  list: (entries) =>
    entries.flatMap((entry) => {
      if (entry.isDirectory || !entry.name.endsWith('.sql')) return [];
      const stem = entry.name.slice(0, -'.sql'.length);
      const match = /^(\d[\d.\-]*)[_\-.]?(.*)$/.exec(stem);
      return [{ version: match ? match[1]! : stem, name: match ? match[2] || stem : stem, up: { file: entry.name } }];
    }),
};

/** In order of preference: a directory that fits a specific layout is never read as plain files. */
export const LAYOUTS: readonly Layout[] = [diesel, prisma, flyway, golangMigrate, dbmate, plain];

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

export function sortByVersion<T extends { version: string; name: string; up: SqlLocation }>(list: T[]): T[] {
  return [...list].sort(
    (a, b) => compareText(a.version, b.version) || compareText(a.name, b.name) || compareText(a.up.file, b.up.file),
  );
}

/** Picks the first layout that recognises anything in the directory. */
export function detectLayout(
  entries: DirectoryEntry[],
  peek: (file: string) => string,
): { layout: LayoutName; migrations: MigrationEntry[] } | undefined {
  for (const layout of LAYOUTS) {
    const migrations = layout.list(entries, peek);
    if (migrations.length > 0) {
      return { layout: layout.name, migrations: layout.name === 'flyway' ? migrations : sortByVersion(migrations) };
    }
  }
  return undefined;
}

/**
 * dbmate keeps both directions in one file. The section is returned as the whole file with every
 * character outside it replaced by a space (newlines kept), so line and column stay the file's own.
 */
export function extractDbmateSection(text: string, section: 'up' | 'down'): string {
  const markers = [...text.matchAll(/^--\s*migrate:(up|down)\b.*$/gm)];
  let keepFrom = -1;
  let keepTo = text.length;
  for (let i = 0; i < markers.length; i++) {
    const marker = markers[i]!;
    if (marker[1] === section && keepFrom < 0) {
      keepFrom = marker.index + marker[0].length;
      keepTo = markers[i + 1]?.index ?? text.length;
    }
  }
  if (keepFrom < 0) return section === 'up' && markers.length === 0 ? text : blank(text);
  return blank(text.slice(0, keepFrom)) + text.slice(keepFrom, keepTo) + blank(text.slice(keepTo));
}

function blank(text: string): string {
  return text.replace(/[^\n]/gu, ' ');
}
