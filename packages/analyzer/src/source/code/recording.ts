/**
 * The state shared by the capture runner and its recorders (knex's client, node-pg-migrate's builder): the
 * direction of the migration being captured, where its queries and gaps are collected.
 */
import { pathToFileURL } from 'node:url';
import type { CapturedQuery } from './protocol.js';

/** One direction of one migration being captured. */
export interface Recording {
  file: string;
  queries: CapturedQuery[];
  gaps: Set<string>;
}

/** What a recorder hands back for one direction of one migration. */
export interface CodeDirectionResult {
  /** False when the module has no such function. */
  exported: boolean;
  queries: CapturedQuery[];
  gaps: string[];
}

let active: Recording | undefined;

/** The direction being captured, if one is. */
export function current(): Recording | undefined {
  return active;
}

export function setCurrent(recording: Recording | undefined): void {
  active = recording;
}

export function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}…` : flat;
}

export function gap(text: string): void {
  active?.gaps.add(text);
}

/** The line of the migration file in a stack trace (the builder call that made the query). */
export function lineIn(error: Error | undefined, file: string): number | undefined {
  if (!error?.stack) return undefined;
  const url = pathToFileURL(file).href;
  for (const frame of error.stack.split('\n')) {
    const at = frame.indexOf(url) >= 0 ? frame.indexOf(url) + url.length : frame.indexOf(file) >= 0 ? frame.indexOf(file) + file.length : -1;
    if (at < 0) continue;
    const match = /^:(\d+):\d+/.exec(frame.slice(at));
    if (match) return Number(match[1]);
  }
  return undefined;
}

export function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

export class ExitAttempt extends Error {
  constructor(readonly code: unknown) {
    super(`called process.exit(${code === undefined ? '' : String(code)})`);
  }
}
