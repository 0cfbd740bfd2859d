import type { RefreshMatViewStmt } from 'libpg-query';
import { findView } from '../../catalog/lookup.js';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface Refresh {
  view: QualifiedName;
  withNoData: boolean;
}

export const refreshMaterializedView = defineRule<RefreshMatViewStmt, Refresh>({
  id: 'refresh-materialized-view',
  kind: 'alter_object',
  readsPrior: true,
  title: 'Refreshed materialized view',
  explain: `REFRESH MATERIALIZED VIEW recomputes the view's rows from its query: derived data, which the old
application reads the same way, so nothing needs undoing. REFRESH … WITH NO DATA empties the view and marks
it unpopulated: every query of it fails until the next refresh. The rollback refreshes it again when the prior
schema shows it was populated; without the prior schema that is unknown: risky.`,
  examples: [
    { sql: 'REFRESH MATERIALIZED VIEW totals;', verdict: 'safe' },
    { sql: 'REFRESH MATERIALIZED VIEW totals WITH NO DATA;', verdict: 'risky' },
  ],
  on: ['RefreshMatViewStmt'],
  recognise(refresh, context) {
    const view = qualify(refresh.relation, context.defaultSchema);
    return { object: displayName(view), details: { view, withNoData: refresh.skipData === true } };
  },
  assess({ details }, { prior }): Assessment {
    const name = displayName(details.view);
    if (!details.withNoData) {
      return { verdict: 'safe', evidence: 'static', reason: `Refreshing ${name} recomputes derived rows from its query; nothing to undo.`, rollback: [] };
    }
    const found = prior ? findView(prior, details.view) : undefined;
    if (!found?.materialized) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `REFRESH … WITH NO DATA empties ${name} and makes every query of it fail until it is refreshed, but ${prior ? 'the view is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so whether it was populated is unknown.`,
        rollback: [],
      };
    }
    const populated = (found.info as { populated?: boolean }).populated !== false;
    return populated
      ? { verdict: 'safe', evidence: 'catalog', reason: `REFRESH … WITH NO DATA empties ${name}, which was populated before: refreshing it restores its rows.`, rollback: [step(`REFRESH MATERIALIZED VIEW ${sqlName(details.view)};`, 'before-app')] }
      : { verdict: 'safe', evidence: 'catalog', reason: `${name} was not populated before: nothing to undo.`, rollback: [] };
  },
});
