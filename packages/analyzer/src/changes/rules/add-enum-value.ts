import type { AlterEnumStmt } from 'libpg-query';
import { qualifyNames, strings } from '../ast.js';
import { ask, howDecided, unanswered } from '../data.js';
import { displayName } from '../naming.js';
import { defineRule } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddEnumValue {
  type: QualifiedName;
  value: string;
  ifNotExists: boolean;
}

export const addEnumValue = defineRule<AlterEnumStmt, AddEnumValue>({
  id: 'add-enum-value',
  kind: 'add_enum_value',
  title: 'Added enum value',
  explain: `Postgres cannot remove a value from an enum type (there is no ALTER TYPE … DROP VALUE). After a
rollback the value stays; the old application works as long as no row uses it, and fails to read rows
that do. A full revert recreates the type without the value (create a new type, convert the columns,
drop the old type), which needs the type's prior labels and every row rewritten. The change is risky;
the data check "is the value in use?" tells whether rows depend on it.`,
  on: ['AlterEnumStmt'],
  recognise(alter, context) {
    if (!alter.newVal || alter.oldVal) return undefined;
    const type = qualifyNames(strings(alter.typeName), context.defaultSchema);
    return {
      object: displayName(type),
      details: { type, value: alter.newVal, ifNotExists: alter.skipIfNewValExists === true },
    };
  },
  dataCheck: ({ details }, state, probes) =>
    state === 'applied' ? ask(`Does any row use '${details.value}'?`, probes.enumValueInUse(details.type, details.value)) : undefined,
  assess({ details }, { data }) {
    if (data) {
      return {
        verdict: 'risky',
        evidence: 'data',
        reason:
          data.finding.answer === 'yes'
            ? `Rows use '${details.value}' of ${details.type.name} (${howDecided(data)}): the old application may fail on them, and Postgres cannot drop the value. Fix those rows or fix forward.`
            : data.finding.answer === 'no'
              ? `No row uses '${details.value}' (${howDecided(data)}): the old application works with the value left in place (Postgres cannot drop it).`
              : unanswered(data),
        rollback: [],
      };
    }
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Enum ${details.type.name} gains '${details.value}'. Postgres cannot drop an enum value, so it stays after a rollback: the old application works while no row uses it; removing it means recreating the type.`,
      rollback: [],
    };
  },
});
