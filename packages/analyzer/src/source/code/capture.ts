/**
 * Runs the capture runner (runner.ts) in a child process, synchronously (discovery is synchronous), with a time
 * limit per migration: the runner is killed when it is exceeded. Migrations are captured in one process per
 * folder; when a kill interrupts one that was not the first of its process, the rest is captured again in a
 * fresh process, so that only a migration that had the whole limit to itself is called too slow.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdentAlways } from '../../sql/quote.js';
import type { CapturedQuery, CodeTool, Direction, KnexSettings, RunnerEvent, RunnerJob } from './protocol.js';

/** The time one migration's `up` and `down` together may take, unless MIGCHECK_CAPTURE_TIMEOUT_MS says otherwise. */
export const DEFAULT_CAPTURE_TIMEOUT_MS = 10_000;
/** Starting Node and loading knex or node-pg-migrate, on top of a migration's own limit. */
const STARTUP_MS = 3_000;

export interface DirectionCapture {
  queries: CapturedQuery[];
  /** Why the queries may not be all the code sends to a real database; empty when they are. */
  gaps: string[];
  /** A down node-pg-migrate infers from `up`, the module exporting none. */
  inferred?: boolean;
}

export interface MigrationCapture {
  up: DirectionCapture;
  /** Absent when the module exports no `down` (and none is inferred). */
  down?: DirectionCapture;
  /** Why the tool has no down to run for it (`down = false`, an inference it refuses). */
  downRefused?: string;
}

export function captureTimeoutMs(): number {
  const configured = Number(process.env.MIGCHECK_CAPTURE_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_CAPTURE_TIMEOUT_MS;
}

/** The built runner; under vitest the sources run as TypeScript, and the runner is the one in dist/. */
function runnerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), 'runner.js');
  if (existsSync(sibling)) return sibling;
  return here.replace(/[\\/]src[\\/]source[\\/]code[\\/]capture\.ts$/, '/dist/source/code/runner.js');
}

/** The environment of the user's code: without the settings that name a database or its password. */
function childEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^PG[A-Z_]*$|DATABASE_URL$|^MIGCHECK_/.test(key)));
}

interface RunOutcome {
  events: RunnerEvent[];
  timedOut: boolean;
  /** How the process ended, for a message: `exit code 3`, `signal SIGSEGV`. */
  ended: string;
}

function runRunner(request: RunnerJob, cwd: string, timeoutMs: number): RunOutcome {
  const scratch = mkdtempSync(join(tmpdir(), 'migcheck-capture-'));
  try {
    const resultFile = join(scratch, 'events.jsonl');
    const requestFile = join(scratch, 'request.json');
    writeFileSync(resultFile, '');
    writeFileSync(requestFile, JSON.stringify({ ...request, resultFile }));
    const result = spawnSync(process.execPath, ['--max-old-space-size=1024', runnerPath(), requestFile], {
      cwd,
      env: childEnvironment(),
      // No pipes: a process the user's code starts cannot hold migcheck waiting on one.
      stdio: 'ignore',
      timeout: timeoutMs + STARTUP_MS,
      killSignal: 'SIGKILL',
    });
    const events = readFileSync(resultFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as RunnerEvent];
        } catch {
          return []; // a line cut by the kill
        }
      });
    const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return { events, timedOut, ended: result.signal ? `signal ${result.signal}` : `exit code ${result.status ?? 'unknown'}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The knexfile's settings, or why they could not be read. */
export function readKnexfileSettings(knexfile: string, timeoutMs = captureTimeoutMs()): KnexSettings | { failure: string } {
  const outcome = runRunner({ mode: 'knexfile', knexfile }, dirname(knexfile), timeoutMs);
  for (const event of outcome.events) {
    if (event.event === 'settings') return event.settings;
    if (event.event === 'settings-failed') return { failure: event.message };
  }
  return { failure: outcome.timedOut ? `it did not finish loading within ${seconds(timeoutMs)}` : `loading it ended the process (${outcome.ended})` };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Captures `up` and `down` of each file, in order; every failure becomes a gap of the migration it concerns. */
export function captureMigrations(files: string[], options: { cwd: string; tool?: CodeTool; searchPath?: string[]; timeoutMs?: number }): MigrationCapture[] {
  const timeoutMs = options.timeoutMs ?? captureTimeoutMs();
  const captured: (Partial<Record<Direction, DirectionCapture>> & { downRefused?: string })[] = files.map(() => ({}));
  const finished = files.map(() => false);
  let start = 0;
  while (start < files.length) {
    const outcome = runRunner(
      { mode: 'capture', tool: options.tool ?? 'knex', files: files.slice(start), ...(options.searchPath ? { searchPath: options.searchPath } : {}) },
      options.cwd,
      timeoutMs,
    );
    let begun = -1;
    for (const event of outcome.events) {
      if (event.event === 'begin') begun = start + event.index;
      if (event.event === 'load-failed') {
        const reason = `could not be loaded: ${event.message}`;
        captured[start + event.index] = { up: { queries: [], gaps: [reason] }, down: { queries: [], gaps: [reason] } };
        finished[start + event.index] = true;
      }
      if (event.event === 'captured') {
        const index = start + event.index;
        if (event.exported) captured[index]![event.direction] = { queries: event.queries, gaps: event.gaps, ...(event.inferred ? { inferred: true } : {}) };
        else if (event.direction === 'up') captured[index]!.up = { queries: [], gaps: ['exports no up function'] };
        if (event.refused) captured[index]!.downRefused = event.refused;
        if (event.direction === 'down') finished[index] = true;
      }
    }
    const next = finished.indexOf(false, start);
    if (next < 0) break;
    const inProgress = begun >= start && !finished[begun] ? begun : -1;
    if (inProgress < 0) {
      // The process ended between migrations, or before the first: nothing of the rest can be captured by it.
      const reason = `could not be captured: the capture process ended before it started (${outcome.timedOut ? 'time limit' : outcome.ended})`;
      for (let index = next; index < files.length; index++) if (!finished[index]) captured[index] = { up: { queries: captured[index]!.up?.queries ?? [], gaps: [reason] }, down: { queries: [], gaps: [reason] } };
      break;
    }
    if (outcome.timedOut && inProgress > start) {
      start = inProgress; // killed during a later migration, which had less than the whole limit: capture it again
      continue;
    }
    const reason = outcome.timedOut
      ? `did not finish within ${seconds(timeoutMs)}: stopped (an endless loop, or a wait for something that never comes)`
      : `ended the capture process (${outcome.ended})`;
    const entry = captured[inProgress]!;
    if (!entry.up) {
      entry.up = { queries: [], gaps: [reason] };
      entry.down = { queries: [], gaps: ['was not run: up did not finish'] };
    } else entry.down = { queries: [], gaps: [reason] };
    finished[inProgress] = true;
    start = inProgress + 1;
  }
  return captured.map((entry) => ({
    up: entry.up ?? { queries: [], gaps: ['was not captured'] },
    ...(entry.down ? { down: entry.down } : {}),
    ...(entry.downRefused ? { downRefused: entry.downRefused } : {}),
  }));
}

/**
 * The SQL text of one direction: each query ended by `;`, on the line of the builder call that made it when the
 * stack said it (else on the next line), so that a change's line points into the migration file. A knexfile's
 * searchPath is set first, as knex sets it on each connection.
 */
export function capturedSqlText(capture: DirectionCapture, searchPath?: string[]): string {
  const lines: string[] = [];
  if (searchPath && searchPath.length > 0) lines.push(`SET search_path TO ${searchPath.map(quoteIdentAlways).join(', ')};`);
  for (const query of capture.queries) {
    while (query.line !== undefined && lines.length < query.line - 1) lines.push('');
    const sql = query.sql.replace(/;\s*$/, '');
    const statementLines = sql.split(/\r?\n/);
    // A trailing line comment would swallow the `;`.
    const last = statementLines.at(-1) ?? '';
    if (last.includes('--')) statementLines.push(';');
    else statementLines[statementLines.length - 1] = `${last};`;
    lines.push(...statementLines);
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}
