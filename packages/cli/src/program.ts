/**
 * The migcheck command line: argument parsing and output only. Everything else is the analyzer's.
 * Exit codes (DESIGN.md): 0 nothing at or above --fail-on; 1 something is; 2 anything that is not a verdict:
 * usage error, unreadable or unparsable input, an unreachable database, a crash.
 */
import {
  FORMATS,
  MigcheckError,
  VERSION,
  discoverMigrations,
  failsOnWithRuleLevels,
  formatReportPieces,
  isExcluded,
  loadConfig,
  starterConfig,
  lint,
  plan,
  ruleDoc,
  ruleDocs,
  verify,
  visible,
  type AnalyzeOptions,
  type FailOn,
  type Format,
  type MigcheckConfig,
  type Report,
  type ShadowOptions,
  UsageError,
} from '@migcheck/analyzer';
import { Command, CommanderError, Option } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changedSince } from './changed.js';
import { CRASH_EXIT_CODE, crashReport } from './crash.js';
import { liveProgress, progressPrinter, type Progress } from './progress.js';

// main.ts takes the full crash report from here: one import of the CLI's modules.
export { crashReport };

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Whether stderr is a terminal: progress then updates one line in place. */
  stderrIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  /** Where relative paths and the configuration file are looked up from (default: process.cwd()). */
  cwd?: string;
}

interface AnalyzeFlags {
  format: Format;
  failOn: FailOn;
  color?: boolean;
  /** false with --no-shadow. */
  shadow: boolean;
  shadowUrl?: string;
  cacheDir?: string;
  quiet?: boolean;
  databaseUrl?: string;
  state?: 'auto' | 'pending' | 'applied';
  exact?: boolean;
  probeTimeout?: string;
  lockTimeout?: string;
  acceptRisk?: boolean;
  knexfile?: string;
  changedSince?: string;
  /** false with --no-result-cache (lint). */
  resultCache?: boolean;
}

function milliseconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`${flag} takes a whole number of milliseconds, got "${value}"`);
  return ms;
}

function shadowOptions(flags: AnalyzeFlags, progress: Progress): ShadowOptions {
  return {
    ...(flags.shadowUrl ? { url: flags.shadowUrl } : {}),
    ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
    ...(flags.quiet ? {} : { onProgress: progress.report }),
  };
}

/** The flags in effect: each one given on the command line wins over the configuration file's setting. */
function withConfig(flags: AnalyzeFlags, config: MigcheckConfig, given: (flag: keyof AnalyzeFlags) => boolean): AnalyzeFlags {
  const merged: AnalyzeFlags = { ...flags };
  if (config.format && !given('format')) merged.format = config.format;
  if (config.failOn && !given('failOn')) merged.failOn = config.failOn;
  if (config.shadowUrl && !given('shadowUrl')) merged.shadowUrl = config.shadowUrl;
  if (config.knexfile && !given('knexfile')) merged.knexfile = config.knexfile;
  if (config.acceptRisk !== undefined && !given('acceptRisk')) merged.acceptRisk = config.acceptRisk;
  if (config.probeTimeout && !given('probeTimeout')) merged.probeTimeout = String(config.probeTimeout);
  if (config.lockTimeout && !given('lockTimeout')) merged.lockTimeout = String(config.lockTimeout);
  return merged;
}

/**
 * The migrations to analyse: those the paths name, less the ones the configuration excludes, and with
 * --changed-since only the changed ones. Each is passed as its file, so its history is still its whole folder.
 */
function targetsOf(paths: string[], flags: AnalyzeFlags, exclude: string[], cwd: string): string[] | undefined {
  const changed = flags.changedSince === undefined ? undefined : changedSince(flags.changedSince, cwd);
  const kept = discoverMigrations(paths, { cwd, ...(flags.knexfile ? { knexfile: flags.knexfile } : {}) }).filter(
    (migration) =>
      !isExcluded(migration.up.absolutePath, exclude) &&
      (!changed || changed.has(migration.up.absolutePath) || (migration.down !== undefined && changed.has(migration.down.absolutePath))),
  );
  if (kept.length === 0 && changed) return undefined;
  if (kept.length === 0) throw new UsageError('every migration named is excluded by the configuration file');
  return [...new Set(kept.map((migration) => migration.up.absolutePath))];
}

export async function run(argv: string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('migcheck')
    .description('Is this PostgreSQL migration safe to roll back? Classifies every change as safe, risky or irreversible and writes the rollback.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const analyzeCommand = (name: 'lint' | 'plan' | 'verify', description: string, analyze: (paths: string[], flags: AnalyzeFlags, progress: Progress) => Promise<Report>) => {
    const command = program
      .command(name)
      .description(description)
      .argument('<paths...>', 'migration files or directories')
      .addOption(new Option('-f, --format <format>', 'output format (verify: only the rollback\'s verification queries)').choices(FORMATS).default('text'))
      .addOption(new Option('--fail-on <verdict>', 'exit 1 when a change not acknowledged is at least this').choices(['risky', 'irreversible', 'none']).default('irreversible'))
      .option('--shadow-url <url>', 'a PostgreSQL server for the shadow database (default: an embedded one migcheck starts); never the target database')
      .option('--cache-dir <dir>', 'where replayed history snapshots, and lint\'s results, are cached (default: ~/.cache/migcheck)')
      .option('-q, --quiet', 'no progress messages on stderr')
      .option('--color', 'colour the text output even when not on a terminal')
      .option('--no-color', 'no colour in the text output')
      .option('--knexfile <path>', 'the knexfile of knex migrations (default: a knexfile.* next to or above their folder)')
      .option('--changed-since <ref>', 'analyse only the migrations changed since this git ref (and uncommitted ones); their history is still the whole folder');
    if (name !== 'verify') command.option('--no-shadow', 'static analysis only: do not replay the history in a shadow database');
    if (name === 'lint') command.option('--no-result-cache', 'analyse every migration again, instead of reusing the cached results of unchanged ones (in --cache-dir)');
    if (name === 'plan') {
      command
        .option('--database-url <url>', 'the target database, opened read-only, whose data decides the rollback (default: $DATABASE_URL)')
        .addOption(new Option('--state <state>', 'whether the migrations are applied to the target database').choices(['auto', 'pending', 'applied']).default('auto'))
        .option('--exact', 'exact data checks (full scans, bounded by a long timeout) instead of statistics, indexes and short bounded queries')
        .option('--probe-timeout <ms>', 'statement timeout of each default data check (default 100)')
        .option('--lock-timeout <ms>', 'lock timeout of each data check (default 50)')
        .option('--accept-risk', 'answer the seed\'s "Acceptable risk?" with yes: risky steps (backups first) are part of the plan');
    }
    command.action(async (paths: string[], given: AnalyzeFlags) => {
      const config = (await loadConfig(io.cwd ?? process.cwd()))?.config ?? {};
      const flags = withConfig(given, config, (flag) => command.getOptionValueSource(flag) === 'cli');
      const cwd = io.cwd ?? process.cwd();
      const targets = config.exclude?.length || flags.changedSince !== undefined ? targetsOf(paths, flags, config.exclude ?? [], cwd) : paths;
      if (!targets) {
        if (!flags.quiet) io.stderr(`migcheck: no migrations changed since ${visible(flags.changedSince ?? '')}\n`);
        return;
      }
      const progress = progressPrinter(io.stderr, liveProgress(io.stderrIsTTY === true, io.env));
      let report: Report;
      try {
        report = await analyze(targets, flags, progress);
      } finally {
        progress.end();
      }
      const color = flags.color ?? (io.isTTY && !io.env.NO_COLOR);
      for (const piece of formatReportPieces(report, flags.format, { color })) io.stdout(piece);
      exitCode = failsOnWithRuleLevels(report, flags.failOn, config.rules) ? 1 : 0;
    });
  };
  const options = (flags: AnalyzeFlags, progress: Progress): AnalyzeOptions => ({
    shadow: flags.shadow === false ? false : shadowOptions(flags, progress),
    ...(flags.knexfile ? { knexfile: flags.knexfile } : {}),
  });

  analyzeCommand('lint', 'verdict for every change, from the migration files and their history (pre-merge CI)', (paths, flags, progress) =>
    lint(paths, {
      ...options(flags, progress),
      ...(flags.resultCache === false ? {} : { resultCache: { ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}), ...(flags.quiet ? {} : { onProblem: progress.report }) } }),
    }),
  );
  analyzeCommand('plan', 'the rollback plan: verdicts and the full rollback script to run if the deploy goes wrong', (paths, flags, progress) => {
    const url = flags.databaseUrl ?? io.env.DATABASE_URL;
    const probeTimeoutMs = milliseconds(flags.probeTimeout, '--probe-timeout');
    const lockTimeoutMs = milliseconds(flags.lockTimeout, '--lock-timeout');
    return plan(paths, {
      ...options(flags, progress),
      ...(flags.acceptRisk ? { acceptRisk: true } : {}),
      ...(url
        ? {
            database: {
              url,
              ...(flags.state ? { state: flags.state } : {}),
              ...(flags.exact ? { exact: true } : {}),
              ...(probeTimeoutMs ? { probeTimeoutMs } : {}),
              ...(lockTimeoutMs ? { lockTimeoutMs } : {}),
            },
          }
        : {}),
    });
  });
  analyzeCommand('verify', "rehearse each migration and its rollback (and the project's own down migration) in a shadow database", (paths, flags, progress) =>
    verify(paths, { shadow: shadowOptions(flags, progress), ...(flags.knexfile ? { knexfile: flags.knexfile } : {}) }),
  );

  program
    .command('init')
    .description('write a commented starter configuration file, migcheck.config.jsonc, in the working directory')
    .action(() => {
      const path = join(io.cwd ?? process.cwd(), 'migcheck.config.jsonc');
      if (existsSync(path)) throw new UsageError(`${visible(path)} already exists: edit it, or remove it first`);
      writeFileSync(path, starterConfig(), { flag: 'wx' });
      io.stdout(`wrote ${visible(path)}\n`);
    });

  program
    .command('explain')
    .description('explain a rule: what it checks, how the change is rolled back, and what decides the verdict')
    .argument('[rule]', 'rule id, as shown in reports (e.g. add-column); omit to list the rules')
    .action((id: string | undefined) => {
      if (!id) {
        const docs = ruleDocs();
        const width = Math.max(...docs.map((doc) => doc.id.length));
        io.stdout(`${docs.map((doc) => `${doc.id.padEnd(width)}  ${doc.title}`).join('\n')}\n`);
        return;
      }
      const doc = ruleDoc(id);
      if (!doc) throw new MigcheckError(`unknown rule "${id}"; run \`migcheck explain\` to list the rules`);
      const seed = doc.seed ? `\nFrom the seed (rollback-and-recovery, Part 4):\n  ${doc.seed}\n` : '';
      const examples = doc.examples?.length
        ? `\nExamples (verdict from the statement alone, before the prior schema or a data check):\n${doc.examples.map((example) => `  ${example.verdict.padEnd(12)} ${example.sql}`).join('\n')}\n`
        : '';
      io.stdout(`${doc.id}: ${doc.title} (change kind ${doc.kind})\n\n${doc.explain}\n${seed}${examples}`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end parsing with a "success" error.
      return error.exitCode === 0 ? 0 : 2;
    }
    // Anything else is not a verdict: one line, exit 2 (never 1, which says a change reached --fail-on).
    io.stderr(crashReport(error, io.env));
    return CRASH_EXIT_CODE;
  }
}
