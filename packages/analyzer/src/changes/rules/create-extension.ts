import type { CreateExtensionStmt, DefElem } from 'libpg-query';
import { payload } from '../ast.js';
import { quoteIdent } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import type { Assessment } from '../types.js';

interface CreateExtension {
  name: string;
  ifNotExists: boolean;
}

/**
 * The `requires` of the extensions shipped with PostgreSQL (contrib) that require others, as their control files
 * say (test/adversarial/partial-undo.test.ts checks it against pg_available_extension_versions of the test
 * servers). An extension that is not listed requires nothing, unless it is not a contrib one: then unknown.
 */
export const CONTRIB_REQUIRES: Readonly<Record<string, readonly string[]>> = {
  earthdistance: ['cube'],
  bool_plperl: ['plperl'],
  bool_plperlu: ['plperlu'],
  hstore_plperl: ['hstore', 'plperl'],
  hstore_plperlu: ['hstore', 'plperlu'],
  hstore_plpython3u: ['hstore', 'plpython3u'],
  jsonb_plperl: ['plperl'],
  jsonb_plperlu: ['plperlu'],
  jsonb_plpython3u: ['plpython3u'],
  ltree_plpython3u: ['ltree', 'plpython3u'],
};

const CONTRIB_WITHOUT_REQUIRES = new Set([
  'amcheck', 'autoinc', 'bloom', 'btree_gin', 'btree_gist', 'citext', 'cube', 'dblink', 'dict_int', 'dict_xsyn',
  'file_fdw', 'fuzzystrmatch', 'hstore', 'insert_username', 'intagg', 'intarray', 'isn', 'lo', 'ltree', 'moddatetime',
  'pageinspect', 'pg_buffercache', 'pg_freespacemap', 'pg_prewarm', 'pg_stat_statements', 'pg_surgery', 'pg_trgm',
  'pg_visibility', 'pg_walinspect', 'pgcrypto', 'pgrowlocks', 'pgstattuple', 'postgres_fdw', 'refint', 'seg',
  'sslinfo', 'tablefunc', 'tcn', 'tsm_system_rows', 'tsm_system_time', 'unaccent', 'uuid-ossp', 'xml2', 'plpgsql',
  'plperl', 'plperlu', 'plpython3u', 'pltcl', 'pltclu', 'pg_logicalinspect', 'old_snapshot', 'adminpack',
]);

export const createExtension = defineRule<CreateExtensionStmt, CreateExtension>({
  id: 'create-extension-cascade',
  kind: 'create_object',
  readsPrior: true,
  title: 'Created extension with CASCADE',
  explain: `CREATE EXTENSION … CASCADE also installs the extensions it requires that are not installed yet.
DROP EXTENSION of the one named leaves those behind. The rollback drops the named extension, then the
extensions CASCADE installed: those it requires (and they require) that the prior schema does not have.
Without the prior schema, or for an extension whose requirements migcheck does not know (not shipped with
PostgreSQL), which extensions CASCADE installed is unknown: risky.`,
  examples: [
    { sql: 'CREATE EXTENSION earthdistance CASCADE;', verdict: 'risky' },
  ],
  on: ['CreateExtensionStmt'],
  recognise(create) {
    const cascade = (create.options ?? []).some((option) => payload<DefElem>(option, 'DefElem')?.defname === 'cascade');
    if (!cascade || !create.extname) return undefined;
    return { object: create.extname, details: { name: create.extname, ifNotExists: create.if_not_exists === true } };
  },
  assess({ details }, { prior }): Assessment {
    const required = requirements(details.name);
    if (!prior || !required) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `CREATE EXTENSION ${details.name} CASCADE also installs the extensions it requires, which DROP EXTENSION ${details.name} leaves behind; ${prior ? `the requirements of ${details.name} are not known to migcheck` : PRIOR_STATE_UNKNOWN}, so which ones it installed is unknown.`,
        rollback: [step(`DROP EXTENSION ${quoteIdent(details.name)};`, 'after-app')],
      };
    }
    if (details.ifNotExists && prior.extensions[details.name]) {
      return { verdict: 'safe', evidence: 'catalog', reason: `Extension ${details.name} existed before this migration: nothing to undo.`, rollback: [] };
    }
    const installed = required.filter((name) => !prior.extensions[name]);
    // Dropped in the reverse order of installation: the named extension first, then what it required.
    const drops = [details.name, ...installed.reverse()].map((name) => step(`DROP EXTENSION ${quoteIdent(name)};`, 'after-app'));
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `New extension ${details.name}${installed.length > 0 ? `, and ${installed.join(', ')} that CASCADE installed with it (not there before)` : ''}: dropping them loses no application data.`,
      rollback: drops,
    };
  },
});

/** The extensions an extension requires, recursively, in installation order; undefined when unknown. */
function requirements(name: string, seen = new Set<string>()): string[] | undefined {
  const direct = CONTRIB_REQUIRES[name] ?? (CONTRIB_WITHOUT_REQUIRES.has(name) ? [] : undefined);
  if (!direct) return undefined;
  const order: string[] = [];
  for (const requirement of direct) {
    if (seen.has(requirement)) continue;
    seen.add(requirement);
    const nested = requirements(requirement, seen);
    if (!nested) return undefined;
    order.push(...nested, requirement);
  }
  return order;
}

