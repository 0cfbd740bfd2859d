/**
 * Reading the schema again, after a change, at the cost of what changed.
 *
 * A replay reads the schema before hundreds of migrations and before statements within them, on one session; a
 * whole read of Lemmy's schema costs ~50 ms of deparsing on the server. Between two reads a migration changes a few
 * objects. An incremental reader keeps its last reading, with the OIDs each record was read from (./sql.ts
 * Entry), and a fingerprint of the catalog rows behind each object: the version (`xmin`, `ctid`) of every row of
 * pg_class, pg_attribute, pg_constraint, pg_proc… that belongs to it (./fingerprint.ts). The next read:
 *
 * 1. takes the fingerprint again (one query, no deparsing) and finds the objects whose rows were added, removed
 *    or rewritten (any write to a row gives it a new `ctid` or `xmin`, a rolled-back write restores the old ones);
 * 2. where one of them now shows differently to others (renamed, moved, a column renamed or retyped, an enum label
 *    renamed: IDENTITY_QUERY), adds every object that depends on it, transitively through pg_depend (a view on a
 *    renamed column, a foreign key to a renamed table, a function over a renamed type: their deparsed text changes);
 * 3. reads those objects' records again, with the same queries as a whole read limited to them, and keeps the
 *    others from the last reading.
 *
 * Anything it cannot place (a schema, an extension, a role, a collation, an operator class… changed) makes it read
 * the whole schema again, as does a result that does not fit together (two records with one key). A reading is
 * equal to a whole read of the same state: the tests compare both at every step of the shared corpora's replays.
 */
import type { Queryable } from '../queryable.js';
import type { SchemaSnapshot } from '../snapshot.js';
import {
  readCatalogUnderSettings,
  readOwned,
  snapshotOf,
  withReadingSettings,
  type CatalogReading,
  type OwnedEntries,
  type OwnedKind,
} from './index.js';
import { fingerprintFormOf, readFingerprint, type Fingerprint, type FingerprintForm } from './fingerprint.js';
import type { CatalogScope, Entry, Owner } from './sql.js';

/**
 * What other objects' deparsed text shows of an object: its name and schema, its columns' names and types, its enum
 * labels, a function's argument types. Keyed by owner, and by owner and column or label. A dependent's text can
 * only change when one of these does (Postgres refuses other changes under a dependent, or rebuilds the dependent,
 * which then has rows of its own that changed).
 */
const IDENTITY_QUERY = `
SELECT 'r' || c.oid AS key, c.relname || '/' || c.relnamespace AS identity FROM pg_catalog.pg_class AS c WHERE c.oid = ANY($1::pg_catalog.oid[])
UNION ALL SELECT 'r' || a.attrelid || '.' || a.attnum, a.attname || '/' || a.atttypid || '/' || a.atttypmod || '/' || a.attisdropped
  FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = ANY($1::pg_catalog.oid[]) AND a.attnum > 0
UNION ALL SELECT 't' || t.oid, t.typname || '/' || t.typnamespace FROM pg_catalog.pg_type AS t WHERE t.oid = ANY($2::pg_catalog.oid[])
UNION ALL SELECT 't' || e.enumtypid || '.' || e.oid, e.enumlabel FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = ANY($2::pg_catalog.oid[])
UNION ALL SELECT 'f' || p.oid, p.proname || '/' || p.pronamespace || '/' || p.proargtypes::pg_catalog.text FROM pg_catalog.pg_proc AS p WHERE p.oid = ANY($3::pg_catalog.oid[])`;

/**
 * The objects that depend on the changed ones, transitively, as the relations, types and functions whose records
 * hold them (a constraint's table, a rewrite rule's view, a trigger's table…).
 */
const DEPENDENTS_QUERY = `
WITH RECURSIVE dirty(classid, objid) AS (
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, unnest($1::pg_catalog.oid[])
  UNION SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, unnest($2::pg_catalog.oid[])
  UNION SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, unnest($3::pg_catalog.oid[])
  UNION
  SELECT holder.classid, holder.objid
  FROM dirty AS d
  JOIN pg_catalog.pg_depend AS dep ON dep.refclassid = d.classid AND dep.refobjid = d.objid
  CROSS JOIN LATERAL (
    SELECT dep.classid, dep.objid
      WHERE dep.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, t.typrelid FROM pg_catalog.pg_type AS t
      WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = dep.objid AND t.typrelid <> 0
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, con.conrelid FROM pg_catalog.pg_constraint AS con
      WHERE dep.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = dep.objid AND con.conrelid <> 0
    UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, con.contypid FROM pg_catalog.pg_constraint AS con
      WHERE dep.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = dep.objid AND con.contypid <> 0
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, tg.tgrelid FROM pg_catalog.pg_trigger AS tg
      WHERE dep.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND tg.oid = dep.objid
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, rw.ev_class FROM pg_catalog.pg_rewrite AS rw
      WHERE dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = dep.objid
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, ad.adrelid FROM pg_catalog.pg_attrdef AS ad
      WHERE dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = dep.objid
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, pol.polrelid FROM pg_catalog.pg_policy AS pol
      WHERE dep.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND pol.oid = dep.objid
  ) AS holder(classid, objid)
)
SELECT CASE classid WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN 'r' WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN 't' ELSE 'f' END || objid AS owner
FROM dirty`;

/** Per owner: its identity rows (IDENTITY_QUERY), by key. */
type Identities = Map<Owner, Map<string, string>>;

interface Reading {
  catalog: CatalogReading;
  /** The catalog as a snapshot: what read() returns while nothing changes. */
  snapshot: SchemaSnapshot;
  fingerprint: Fingerprint;
  /** The form the fingerprint was taken in: the next is taken in the same. */
  fingerprintForm: FingerprintForm;
  identities: Identities;
}

/** What an incremental reader did, for tests and benchmarks. */
export interface IncrementalReadStatistics {
  wholeReads: number;
  scopedReads: number;
  /** Objects read again by scoped reads, in all. */
  objectsReread: number;
}

/**
 * Reads the schema of one session's database again and again (the whole schema, with privileges). The fingerprint
 * is the catalog's, not the session's: another session's committed changes are read like its own.
 */
export class IncrementalCatalogReader {
  readonly statistics: IncrementalReadStatistics = { wholeReads: 0, scopedReads: 0, objectsReread: 0 };

  constructor(
    private readonly db: Queryable,
    private last?: Reading,
  ) {}

  /**
   * A reader on `db`, a session on this reader's database or on a copy of it made by `CREATE DATABASE … TEMPLATE`
   * (a file copy: the same catalog rows, the same row versions), that starts from this reader's last reading.
   */
  on(db: Queryable): IncrementalCatalogReader {
    return new IncrementalCatalogReader(db, this.last);
  }

  /**
   * Makes the reading now the last one again, when called: for work in a transaction that is rolled back after it,
   * which brings back the catalog rows (the row versions) of now. The next read then re-reads only what the rollback
   * did not bring back (flags Postgres updates in place), and keeps sharing the records of now.
   */
  remember(): () => void {
    const now = this.last;
    return () => {
      this.last = now;
    };
  }

  async read(): Promise<SchemaSnapshot> {
    return withReadingSettings(this.db, async () => {
      const fingerprintForm = this.last?.fingerprintForm ?? (await fingerprintFormOf(this.db));
      const fingerprint = await readFingerprint(this.db, fingerprintForm);
      const since = this.last ? await this.readSince(this.last, fingerprint) : undefined;
      if (since) {
        this.last = since;
        return since.snapshot;
      }
      const catalog = await readCatalogUnderSettings(this.db);
      const everyOwner = [...fingerprint.keys()].filter((key): key is Owner => key !== 'g');
      const snapshot = snapshotOf(catalog.schemas, catalog.extensions, catalog.owned);
      this.last = { catalog, snapshot, fingerprint, fingerprintForm, identities: await readIdentities(this.db, everyOwner) };
      this.statistics.wholeReads++;
      return snapshot;
    });
  }

  /** The last reading, with what changed since read again; undefined when only a whole read can tell. */
  private async readSince(
    last: Reading,
    fingerprint: Fingerprint,
  ): Promise<Reading | undefined> {
    const changed = changedOwners(last.fingerprint, fingerprint);
    if (changed === 'everything') return undefined;
    if (changed.length === 0) return last;
    const changedIdentities = await readIdentities(this.db, changed);
    const renamed = changed.filter((owner) => identityChanged(last.identities.get(owner), changedIdentities.get(owner)));
    const inScope = new Set<Owner>([...changed, ...(await dependentsOf(this.db, renamed))]);
    const fresh = await readOwned(this.db, Object.keys(last.catalog.schemas), last.catalog.serverVersion, true, scopeOf(inScope));
    const owned = {} as Record<OwnedKind, Entry<unknown>[]>;
    for (const kind of Object.keys(last.catalog.owned) as OwnedKind[]) {
      const kept = (last.catalog.owned[kind] as Entry<unknown>[]).filter(
        (entry) => !entry.owners.some((owner) => inScope.has(owner)),
      );
      owned[kind] = [...kept, ...(fresh[kind] as Entry<unknown>[])];
    }
    const catalog: CatalogReading = { ...last.catalog, owned: owned as OwnedEntries };
    let snapshot: SchemaSnapshot;
    try {
      snapshot = snapshotOf(catalog.schemas, catalog.extensions, catalog.owned);
    } catch {
      return undefined; // two records with one key: a change it could not place
    }
    const identities = new Map(last.identities);
    for (const owner of changed) {
      const rows = changedIdentities.get(owner);
      if (rows) identities.set(owner, rows);
      else identities.delete(owner);
    }
    this.statistics.scopedReads++;
    this.statistics.objectsReread += inScope.size;
    return { ...last, catalog, snapshot, fingerprint, identities };
  }
}

/** The objects whose rows differ between two fingerprints, or 'everything' when something global changed. */
function changedOwners(before: Fingerprint, after: Fingerprint): Owner[] | 'everything' {
  if (before.get('g') !== after.get('g')) return 'everything';
  const changed: Owner[] = [];
  for (const [owner, version] of after) if (before.get(owner) !== version) changed.push(owner as Owner);
  for (const owner of before.keys()) if (!after.has(owner)) changed.push(owner as Owner);
  return changed;
}

const oidsOf = (owners: readonly Owner[], kind: 'r' | 't' | 'f') =>
  owners.filter((owner) => owner[0] === kind).map((owner) => owner.slice(1));

async function readIdentities(db: Queryable, owners: readonly Owner[]): Promise<Identities> {
  const { rows } = await db.query<{ key: string; identity: string }>(IDENTITY_QUERY, [
    oidsOf(owners, 'r'),
    oidsOf(owners, 't'),
    oidsOf(owners, 'f'),
  ]);
  const identities: Identities = new Map();
  for (const { key, identity } of rows) {
    const owner = key.split('.')[0] as Owner;
    const rowsOfOwner = identities.get(owner) ?? new Map<string, string>();
    rowsOfOwner.set(key, identity);
    identities.set(owner, rowsOfOwner);
  }
  return identities;
}

/**
 * True when an object that still exists shows differently to its dependents: renamed, moved to another schema, a
 * column renamed, retyped or dropped, an enum label renamed. New columns and labels are not seen by any dependent.
 */
function identityChanged(before: Map<string, string> | undefined, after: Map<string, string> | undefined): boolean {
  if (!before || !after) return false; // new (nothing depended on it), or dropped (its dependents went with it)
  for (const [key, identity] of before) if (after.get(key) !== identity) return true;
  return false;
}

/** Everything that depends on `owners`, transitively, as the owners of the records that hold it. */
async function dependentsOf(db: Queryable, owners: readonly Owner[]): Promise<Owner[]> {
  if (owners.length === 0) return [];
  const { rows } = await db.query<{ owner: Owner }>(DEPENDENTS_QUERY, [
    oidsOf(owners, 'r'),
    oidsOf(owners, 't'),
    oidsOf(owners, 'f'),
  ]);
  return rows.map((row) => row.owner);
}

function scopeOf(owners: ReadonlySet<Owner>): CatalogScope {
  const list = [...owners];
  return { relations: oidsOf(list, 'r'), types: oidsOf(list, 't'), functions: oidsOf(list, 'f') };
}
