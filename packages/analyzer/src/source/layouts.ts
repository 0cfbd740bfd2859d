/**
 * Migration folder layouts. Each layout recognises its tool's files in a folder listing and lists them as
 * migrations {version, name, up, down?} in the tool's own order (versions.ts), the way the tool itself reads the
 * folder: which files are migrations, how up and down pair, and which parts of a file are which direction.
 */
import { extractGooseSection, hasGooseUp, isGooseProblem, parseGooseFile, type GooseFile } from './goose.js';
import { compareBytes, compareFlywayVersions, compareIntegers, compareText, dieselVersionKey } from './versions.js';

export { compareText } from './versions.js';

export type LayoutName = 'diesel' | 'prisma' | 'drizzle' | 'flyway' | 'golang-migrate' | 'goose' | 'dbmate' | 'knex' | 'node-pg-migrate' | 'typeorm' | 'sequelize' | 'plain' | 'file';

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
  /** For directories: the names of the entries inside (one level). */
  children?: string[];
}

/** Where a migration's SQL lives; `cut` selects a part of a file that holds both directions (dbmate, goose). */
export interface SqlLocation {
  /** Path relative to the migrations folder. */
  file: string;
  /** The part of the file's text that is this direction, with the rest blanked (lines and columns kept). */
  cut?: (text: string) => string;
}

/** A migration written in a programming language: a step of the history migcheck cannot read. */
export interface CodeStep {
  language: 'go' | 'javascript' | 'typescript';
}

/**
 * A migration written as code whose SQL migcheck captured by running it against a recording client (knex): its
 * `up` and `down` texts are the captured SQL. Reading a gap runs the capture if it has not run yet.
 */
export interface CodeCapture {
  tool: 'knex' | 'node-pg-migrate' | 'typeorm' | 'sequelize';
  language: CodeStep['language'];
  /** Why the captured up SQL may not be all the code would do on a real database; empty when it is. */
  readonly upGaps: string[];
  readonly downGaps: string[];
}

export interface MigrationEntry {
  version: string;
  name: string;
  /** The tool's name of the migration, when it is not `<version>_<name>` (Prisma's and drizzle's folder or tag). */
  id?: string;
  up: SqlLocation;
  down?: SqlLocation;
  code?: CodeStep;
  capture?: CodeCapture;
  /** Whether the tool runs the migration in one transaction, when its files say (goose, dbmate, diesel). */
  transaction?: boolean;
  /** The tool's tracking table, when its settings name one other than the tool's default. */
  trackingTable?: TrackingTable;
  /** What a person should know about how migcheck read this migration. */
  notes?: string[];
}

/** A tracking table named by the tool's settings; without a schema, the one the search path finds. */
export interface TrackingTable {
  schema?: string;
  table: string;
}

export interface LayoutContext {
  /** A file's text, by its path relative to the folder; an unreadable file is an InputError. */
  read(file: string): string;
  /** Refuses the folder as its tool would, with the place in a file of the folder (1-based line and column). */
  fail(file: string, line: number, column: number, message: string): never;
}

export interface Layout {
  name: LayoutName;
  /** The migrations it recognises in a folder, in the tool's order, or none when the folder is not its tool's. */
  list(entries: DirectoryEntry[], context: LayoutContext): MigrationEntry[];
}

const files = (entries: DirectoryEntry[]) => entries.filter((entry) => !entry.isDirectory).map((entry) => entry.name);

/** diesel: `<version>_<name>/up.sql` (+ `down.sql`); the version with its dashes removed is compared as text. */
const diesel: Layout = {
  name: 'diesel',
  list: (entries, context) =>
    entries
      .flatMap((entry) => {
        const match = /^(\d[\d-]*)_(.+)$/.exec(entry.name);
        if (!entry.isDirectory || !match || !entry.children?.includes('up.sql')) return [];
        // metadata.toml `run_in_transaction = false` runs the migration outside a transaction.
        const noTransaction = entry.children.includes('metadata.toml') && /^\s*run_in_transaction\s*=\s*false\b/m.test(context.read(`${entry.name}/metadata.toml`));
        return [
          {
            version: match[1]!,
            name: match[2]!,
            up: { file: `${entry.name}/up.sql` },
            ...(entry.children.includes('down.sql') ? { down: { file: `${entry.name}/down.sql` } } : {}),
            transaction: !noTransaction,
          },
        ];
      })
      .sort((a, b) => compareBytes(dieselVersionKey(a.version), dieselVersionKey(b.version)) || compareBytes(a.up.file, b.up.file)),
};

/** Prisma Migrate: every folder with a `migration.sql`, in folder-name order; no down files. */
const prisma: Layout = {
  name: 'prisma',
  list: (entries) =>
    entries
      .flatMap((entry) => {
        if (!entry.isDirectory || !entry.children?.includes('migration.sql')) return [];
        const match = /^(\d+)_(.+)$/.exec(entry.name);
        return [{ version: match ? match[1]! : entry.name, name: match ? match[2]! : entry.name, id: entry.name, up: { file: `${entry.name}/migration.sql` } }];
      })
      .sort((a, b) => compareBytes(a.id, b.id)),
};

interface DrizzleJournal {
  entries?: unknown;
}

/**
 * drizzle-kit: `meta/_journal.json` lists the migrations in the order the migrator runs them, each `<tag>.sql`
 * next to `meta/`. A `.sql` file the journal does not list is not run (the folder note says so).
 */
const drizzle: Layout = {
  name: 'drizzle',
  list: (entries, context) => {
    const meta = entries.find((entry) => entry.name === 'meta' && entry.isDirectory);
    if (!meta?.children?.includes('_journal.json')) return [];
    const journalFile = 'meta/_journal.json';
    let journal: DrizzleJournal;
    try {
      journal = JSON.parse(context.read(journalFile)) as DrizzleJournal;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return context.fail(journalFile, 1, 1, `not valid JSON (${error.message}): drizzle cannot read this journal`);
    }
    if (!Array.isArray(journal?.entries)) return context.fail(journalFile, 1, 1, 'no "entries" list: drizzle cannot read this journal');
    const present = new Set(files(entries));
    return journal.entries.map((item: unknown, index): MigrationEntry => {
      const tag = (item as { tag?: unknown } | null)?.tag;
      // The tag names a file next to meta/: never a path elsewhere (the journal is as untrusted as the SQL).
      if (typeof tag !== 'string' || !/^[^./\\][^/\\]*$/.test(tag)) {
        return context.fail(journalFile, 1, 1, `entry ${index}: the tag ${JSON.stringify(tag)} is not a file name`);
      }
      if (!present.has(`${tag}.sql`)) return context.fail(journalFile, 1, 1, `entry ${index}: no file ${tag}.sql next to meta/`);
      const match = /^(\d+)_(.+)$/.exec(tag);
      return { version: match ? match[1]! : String(index), name: match ? match[2]! : tag, id: tag, up: { file: `${tag}.sql` } };
    });
  },
};

/** Flyway: `V<version>__<name>.sql`, `U…` its undo, `R__<name>.sql` repeatable (after the versioned, by name). */
const flyway: Layout = {
  name: 'flyway',
  list: (entries) => {
    const names = files(entries);
    const undo = new Map<string, string>();
    for (const file of names) {
      const match = /^U(\d+(?:[._]\d+)*)__(.*)\.sql$/.exec(file);
      if (match) undo.set(flywayVersion(match[1]!), file);
    }
    const versioned = names.flatMap((file) => {
      const match = /^V(\d+(?:[._]\d+)*)__(.*)\.sql$/.exec(file);
      if (!match) return [];
      const version = flywayVersion(match[1]!);
      const down = undo.get(version);
      return [{ version, name: match[2]!, up: { file }, ...(down ? { down: { file: down } } : {}) }];
    });
    versioned.sort((a, b) => compareFlywayVersions(a.version, b.version) || compareBytes(a.up.file, b.up.file));
    const repeatable = names
      .flatMap((file) => {
        const match = /^R__(.*)\.sql$/.exec(file);
        return match ? [{ version: 'R', name: match[1]!, up: { file } }] : [];
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...versioned, ...repeatable];
  },
};

function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.');
}

/** golang-migrate and sqlx (reversible): `<version>_<name>.up.sql` + `.down.sql`, integer versions. */
const golangMigrate: Layout = {
  name: 'golang-migrate',
  list: (entries, context) => {
    const names = new Set(files(entries));
    const migrations = [...names].flatMap((file) => {
      const match = /^(\d+)_(.*)\.up\.sql$/.exec(file);
      if (!match) return [];
      const downFile = `${match[1]}_${match[2]}.down.sql`;
      return [{ version: match[1]!, name: match[2]!, up: { file }, ...(names.has(downFile) ? { down: { file: downFile } } : {}) }];
    });
    return sortUniqueIntegers(migrations, 'golang-migrate', context);
  },
};

/**
 * goose: `<version>_<name>.sql` with `-- +goose Up` / `-- +goose Down` sections, and `<version>_<name>.go`
 * migrations in the same folder (code steps migcheck cannot read), integer versions. A folder is goose's when
 * one of its SQL files has a goose Up annotation.
 */
const goose: Layout = {
  name: 'goose',
  list: (entries, context) => {
    const versioned = files(entries).flatMap((file) => {
      const match = /^(\d+)_(.*)\.(sql|go)$/.exec(file);
      if (!match || file.endsWith('_test.go') || BigInt(match[1]!) <= 0n) return [];
      return [{ file, version: match[1]!, name: match[2]!, sql: match[3] === 'sql' }];
    });
    if (!versioned.some((migration) => migration.sql && hasGooseUp(context.read(migration.file)))) return [];
    const migrations = versioned.map(({ file, version, name, sql }): MigrationEntry => {
      if (!sql) return { version, name, up: { file, cut: () => '' }, code: { language: 'go' }, transaction: true };
      const parsed = parseGooseFile(context.read(file));
      if (isGooseProblem(parsed)) return context.fail(file, parsed.line, parsed.column, parsed.message);
      return {
        version,
        name,
        up: { file, cut: (text) => extractGooseSection(text, parsed, 'up') },
        ...(parsed.down ? { down: { file, cut: (text: string) => extractGooseSection(text, parsed, 'down') } } : {}),
        transaction: parsed.transaction,
        ...gooseNotes(parsed),
      };
    });
    return sortUniqueIntegers(migrations, 'goose', context);
  },
};

function gooseNotes(parsed: GooseFile): { notes?: string[] } {
  const notes = [
    ...(parsed.envsub
      ? ['-- +goose ENVSUB ON: goose replaces ${VAR} with environment variables when it runs this file; migcheck reads the text as written']
      : []),
    ...parsed.unknownAnnotations.map((annotation) => `line ${annotation.line}: "${annotation.text}" is not a goose annotation; read as a comment`),
  ];
  return notes.length > 0 ? { notes } : {};
}

const DBMATE_UP = /^--\s*migrate:up\b(.*)$/m;

/** dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down` sections; versions compared as text. */
const dbmate: Layout = {
  name: 'dbmate',
  list: (entries, context) =>
    files(entries)
      .flatMap((file) => {
        const match = /^(\d+)_(.*)\.sql$/.exec(file);
        const marker = match ? DBMATE_UP.exec(context.read(file)) : null;
        if (!match || !marker) return [];
        return [
          {
            version: match[1]!,
            name: match[2]!,
            up: { file, cut: (text: string) => extractDbmateSection(text, 'up') },
            down: { file, cut: (text: string) => extractDbmateSection(text, 'down') },
            transaction: !/\btransaction:\s*false\b/.test(marker[1]!),
          },
        ];
      })
      .sort((a, b) => compareBytes(a.version, b.version) || compareBytes(a.up.file, b.up.file)),
};

/** Any `.sql` files (sqlx's `<version>_<name>.sql` among them), ordered naturally by name. */
const plain: Layout = {
  name: 'plain',
  list: (entries) =>
    files(entries)
      .flatMap((file) => {
        if (!file.endsWith('.sql')) return [];
        const stem = file.slice(0, -'.sql'.length);
        const match = /^(\d[\d.\-]*)[_\-.]?(.*)$/.exec(stem);
        return [{ version: match ? match[1]! : stem, name: match ? match[2] || stem : stem, up: { file } }];
      })
      .sort((a, b) => compareText(a.version, b.version) || compareText(a.name, b.name) || compareText(a.up.file, b.up.file)),
};

/** Integer versions in order; two files of one version make the tool refuse the folder, and migcheck too. */
function sortUniqueIntegers(migrations: MigrationEntry[], tool: string, context: LayoutContext): MigrationEntry[] {
  const sorted = [...migrations].sort((a, b) => compareIntegers(a.version, b.version) || compareBytes(a.up.file, b.up.file));
  for (let i = 1; i < sorted.length; i++) {
    const [before, after] = [sorted[i - 1]!, sorted[i]!];
    if (compareIntegers(before.version, after.version) === 0) {
      context.fail(after.up.file, 1, 1, `version ${BigInt(after.version)} is also the version of ${before.up.file}: ${tool} refuses a folder with a duplicate version`);
    }
  }
  return sorted;
}

/** In order of preference: a folder that fits a specific layout is never read as plain files. */
export const LAYOUTS: readonly Layout[] = [diesel, prisma, drizzle, flyway, golangMigrate, goose, dbmate, plain];

export interface DetectedLayout {
  layout: LayoutName;
  migrations: MigrationEntry[];
  /** What a person should know about the choice: entries that looked like migrations but were not read. */
  notes: string[];
}

/**
 * Picks the first layout that recognises anything in the folder. Entries that look like migrations (SQL files,
 * folders holding SQL) but that its tool would not run are named in a note, with the layouts they would fit.
 */
export function detectLayout(entries: DirectoryEntry[], context: LayoutContext): DetectedLayout | undefined {
  for (const layout of LAYOUTS) {
    const migrations = layout.list(entries, context);
    if (migrations.length === 0) continue;
    return { layout: layout.name, migrations, notes: unreadNotes(layout, migrations, entries, context) };
  }
  return undefined;
}

function unreadNotes(chosen: Layout, migrations: MigrationEntry[], entries: DirectoryEntry[], context: LayoutContext): string[] {
  const claimed = new Set(
    migrations.flatMap((migration) => [migration.up.file, ...(migration.down ? [migration.down.file] : [])]).map((file) => file.split('/')[0]!),
  );
  const unread = entries.filter(
    (entry) => !claimed.has(entry.name) && (entry.isDirectory ? (entry.children ?? []).some((child) => child.endsWith('.sql')) : entry.name.endsWith('.sql')),
  );
  if (unread.length === 0) return [];
  const fits = LAYOUTS.filter((layout) => layout !== chosen && layout.name !== 'plain').flatMap((layout) => {
    try {
      return layout.list(unread, context).length > 0 ? [layout.name] : [];
    } catch {
      return [layout.name]; // it recognised the files, and would refuse them
    }
  });
  const shown = unread.slice(0, 5).map((entry) => (entry.isDirectory ? `${entry.name}/` : entry.name));
  const more = unread.length > shown.length ? ` and ${unread.length - shown.length} more` : '';
  return [
    `read as a ${chosen.name} folder (${migrations.length} migration${migrations.length === 1 ? '' : 's'}); not read, as ${chosen.name} would not run ${unread.length === 1 ? 'it' : 'them'}: ${shown.join(', ')}${more}` +
      (fits.length > 0 ? ` (${unread.length === 1 ? 'it fits' : 'they fit'} the ${fits.join(' or ')} layout)` : ''),
  ];
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
