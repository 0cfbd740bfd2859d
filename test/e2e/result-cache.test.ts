/**
 * lint's result cache through the CLI: a second run of an unchanged history answers from `--cache-dir` without
 * replaying anything and prints the same report; `--no-result-cache` analyses (and replays) again; the exit code
 * follows --fail-on, which is not part of the cache key.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migcheck } from '../helpers/cli.js';

const shop = 'fixtures/shop/migrations';
const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('migcheck lint with its result cache', () => {
  it('answers an unchanged history from the cache, and --no-result-cache analyses it again', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-cli-results-'));
    folders.push(cacheDir);
    const lint = (...extra: string[]) => migcheck(['lint', shop, '--shadow-url', inject('postgresUrl'), '--cache-dir', cacheDir, '--quiet', ...extra]);
    const first = lint();
    expect(first.status).toBe(1); // 000005 drops a column
    expect(readdirSync(join(cacheDir, 'results')).filter((name) => name.endsWith('.json'))).toHaveLength(5);
    expect(first.stdout).toContain('[catalog]');

    // Without the snapshots, anything that replayed would store them again.
    rmSync(join(cacheDir, 'snapshots'), { recursive: true, force: true });
    const second = lint();
    expect(second).toEqual({ ...first, stdout: first.stdout.replace('replayed in the shadow database', 'replayed in the shadow database (from the cache)') });
    expect(existsSync(join(cacheDir, 'snapshots'))).toBe(false);
    // --fail-on changes the exit code, not the results: still from the cache.
    expect(lint('--fail-on', 'none')).toMatchObject({ status: 0, stdout: second.stdout });
    expect(existsSync(join(cacheDir, 'snapshots'))).toBe(false);

    const uncached = lint('--no-result-cache');
    expect(existsSync(join(cacheDir, 'snapshots'))).toBe(true);
    expect(uncached).toEqual(first);
  });

  it('renders the rollback script of results that all came from the cache (its online forms need the parser)', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-cli-results-'));
    folders.push(cacheDir);
    const target = `${shop}/000004_widen_age.up.sql`;
    const lint = () => migcheck(['lint', target, '--shadow-url', inject('postgresUrl'), '--cache-dir', cacheDir, '--quiet', '--format', 'sql']);
    const first = lint();
    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(first.stdout).toContain('ALTER TABLE public.users ALTER COLUMN age TYPE integer;');
    rmSync(join(cacheDir, 'snapshots'), { recursive: true, force: true });
    const second = lint();
    expect(existsSync(join(cacheDir, 'snapshots'))).toBe(false); // every result from the cache: nothing parsed
    expect(second).toEqual(first);
  });
});
