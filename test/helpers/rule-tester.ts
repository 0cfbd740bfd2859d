/**
 * Rule tests as case tables, like typescript-eslint's RuleTester: each case is a SQL text and the change one
 * rule must make of it (verdict, evidence, exact rollback SQL). The SQL is recognised by the WHOLE registry, so a
 * case fails when another rule claims it (a more specific rule placed earlier, a selector that moved). The
 * prior schema is a literal snapshot or, for realism, SQL applied once to the test run's real PostgreSQL and
 * read back from its catalog. Data branches are driven by given findings: no database, and a case fails when
 * the rule asks a question the case does not answer, or is given answers it never asks for.
 *
 * Lives in test/helpers (not next to the rules) because it imports vitest and the test server's helpers,
 * which the analyzer package's build must not compile.
 */
import { describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../../packages/analyzer/src/catalog/snapshot.js';
import type { AssessContext, DataProbes, Finding, MigrationState, Rule } from '../../packages/analyzer/src/changes/rule.js';
import type { ChangeKind, Evidence, Verdict } from '../../packages/analyzer/src/changes/types.js';
import { analyzeMigration, withDataChecks, type AnalyzedChange } from '../../packages/analyzer/src/plan/analyze.js';
import { PROBES } from '../../packages/analyzer/src/probes/index.js';
import type { Migration } from '../../packages/analyzer/src/source/discover.js';
import { migrationFromSql } from './analyze.js';
import { priorOf } from './prior.js';

export type ProbeName = keyof DataProbes;

/** A data check's answer: a whole finding, or just its answer (then method `exact`). */
export type GivenFinding = Finding | Finding['answer'];

export interface ExpectedChange {
  /** The rule that must recognise the change; default: the rule under test. */
  rule?: string;
  kind?: ChangeKind;
  object?: string;
  /** Where the change is reported, `line:column` (a subcommand of a multi-command ALTER TABLE points at itself). */
  at?: string;
  verdict: Verdict;
  evidence: Evidence;
  /** The rollback statements, exactly, in order. */
  rollback: readonly string[];
  /** A substring of the reason, or a pattern it matches. */
  reason?: string | RegExp;
  /** The first words of each forward-fix option (before the colon), when the change is forward fix only. */
  options?: readonly string[];
  /** A substring of why the rollback is incomplete (the script then says INCOMPLETE); checked when given. */
  incomplete?: string;
}

export interface RuleCase {
  /** What the case shows; default: the SQL. */
  name?: string;
  /**
   * The migration. The change under test is its last change; earlier statements set the scene inside the same
   * migration (a column added before its default is set). With `expect` a list, the last changes, in order.
   */
  sql: string;
  /** How the migration is written when it is not plain SQL: code migcheck does not read (goose .go), or captured SQL (knex). */
  migration?: Partial<Pick<Migration, 'code' | 'capture'>>;
  /** The schema before the migration: a snapshot, or SQL that builds it on the test server (built once per file). */
  prior?: SchemaSnapshot | string;
  /** The target database's schema now (plan --database-url): a snapshot, or SQL that builds it. */
  target?: SchemaSnapshot | string;
  /** Whether the migration is applied to the target (plan --database-url); needed with `data`. */
  state?: MigrationState;
  /** The answers of the target database's data checks, by probe. */
  data?: Partial<Record<ProbeName, GivenFinding>>;
  /** The change under test; a list: the last changes, in order; an empty list: the SQL makes no change at all. */
  expect: ExpectedChange | ExpectedChange[];
  /** A known wrong verdict, kept visible: the case must fail until the rule is fixed (vitest `it.fails`). */
  fails?: string;
}

/** Schemas built from SQL, once per distinct SQL text in this test file (each file runs in its own module graph). */
const builtPriors = new Map<string, Promise<SchemaSnapshot>>();

function priorFor(prior: SchemaSnapshot | string | undefined): Promise<SchemaSnapshot | undefined> {
  if (prior === undefined || typeof prior !== 'string') return Promise.resolve(prior);
  let built = builtPriors.get(prior);
  if (!built) {
    built = priorOf(prior);
    builtPriors.set(prior, built);
  }
  return built;
}

function findingOf(probe: ProbeName, given: GivenFinding): Finding {
  return typeof given === 'string' ? { answer: given, method: 'exact', ms: 0, detail: `${probe}: ${given} (given by the test)` } : given;
}

/** Probes that answer from the case's findings and remember what was asked: every probe of probes/, none real. */
function givenProbes(data: Partial<Record<ProbeName, GivenFinding>>, asked: ProbeName[]): DataProbes {
  const answer = (probe: ProbeName) => async (): Promise<Finding> => {
    asked.push(probe);
    const given = data[probe];
    if (given === undefined) throw new Error(`the rule asks ${probe}, which the case does not answer (add it to data)`);
    return findingOf(probe, given);
  };
  return Object.fromEntries((Object.keys(PROBES) as ProbeName[]).map((probe) => [probe, answer(probe)])) as unknown as DataProbes;
}

/** The case's changes, analysed the way lint (or plan with --database-url, when the case has data) does. */
export async function runCase(testCase: RuleCase): Promise<AnalyzedChange[]> {
  const prior = await priorFor(testCase.prior);
  const target = await priorFor(testCase.target);
  const context: AssessContext = {
    ...(prior ? { prior } : {}),
    ...(target ? { target } : {}),
    ...(testCase.state ? { state: testCase.state } : {}),
  };
  const analyzed = analyzeMigration({ ...migrationFromSql(testCase.sql), ...testCase.migration }, context);
  if (!testCase.data) return analyzed.changes;
  if (!testCase.state) throw new Error('a case with data names its state (applied or pending)');
  const asked: ProbeName[] = [];
  const checked = await withDataChecks(analyzed, { ...context, state: testCase.state }, givenProbes(testCase.data, asked));
  const unasked = Object.keys(testCase.data).filter((probe) => !asked.includes(probe as ProbeName));
  if (unasked.length > 0) throw new Error(`the case answers ${unasked.join(', ')}, which no data check asked`);
  return checked.changes;
}

function actualOf(item: AnalyzedChange, expected: ExpectedChange) {
  const { change, assessment } = item;
  return {
    rule: change.rule,
    ...(expected.kind ? { kind: change.kind } : {}),
    ...(expected.object !== undefined ? { object: change.object } : {}),
    ...(expected.at !== undefined ? { at: `${change.position.line}:${change.position.column}` } : {}),
    verdict: assessment.verdict,
    evidence: assessment.evidence,
    rollback: assessment.rollback.map((step) => step.sql),
    ...(expected.options ? { options: (assessment.options ?? []).map((option) => option.split(':')[0]) } : {}),
  };
}

/** Runs one case and asserts what it expects (throws on a mismatch). */
export async function checkCase(rule: Rule, testCase: RuleCase): Promise<void> {
  const changes = await runCase(testCase);
  const expectations = Array.isArray(testCase.expect) ? testCase.expect : [testCase.expect];
  if (expectations.length === 0) {
    expect(changes.map((item) => item.change.rule), 'the SQL should make no change').toEqual([]);
    return;
  }
  if (changes.length < expectations.length) {
    throw new Error(`expected ${expectations.length} change(s), the registry made ${changes.length}: ${changes.map((c) => c.change.rule).join(', ') || 'none'}`);
  }
  const subjects = changes.slice(changes.length - expectations.length);
  // The case table of a rule tests that rule: the last change must be its own.
  const last = subjects[subjects.length - 1]!;
  expect(last.change.rule, `the change under test was recognised by ${last.change.rule}, not ${rule.id}`).toBe(expectations[expectations.length - 1]!.rule ?? rule.id);
  subjects.forEach((item, index) => {
    const expected = expectations[index]!;
    const { reason, incomplete, ...exact } = expected;
    expect(actualOf(item, expected)).toEqual({ ...exact, rule: expected.rule ?? rule.id });
    if (incomplete !== undefined) expect(item.assessment.incomplete ?? '(none)').toContain(incomplete);
    if (typeof reason === 'string') expect(item.assessment.reason).toContain(reason);
    else if (reason) expect(item.assessment.reason).toMatch(reason);
  });
}

function caseName(testCase: RuleCase): string {
  const state = testCase.state ? ` [${testCase.state}${testCase.data ? `: ${Object.entries(testCase.data).map(([probe, given]) => `${probe} ${typeof given === 'string' ? given : given.answer}`).join(', ')}` : ''}]` : '';
  const prior = testCase.prior ? ' [prior]' : '';
  return `${testCase.name ?? testCase.sql.replace(/\s+/g, ' ').trim()}${prior}${state}`;
}

/** One `describe` per rule, one `it` per case. */
export function ruleTester(rule: Rule, cases: RuleCase[]): void {
  describe(`${rule.id} (${rule.kind})`, () => {
    for (const testCase of cases) {
      if (testCase.fails) it.fails(`${caseName(testCase)} — known wrong: ${testCase.fails}`, () => checkCase(rule, testCase));
      else it(caseName(testCase), () => checkCase(rule, testCase));
    }
  });
}
