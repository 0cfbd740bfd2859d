import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// statSync counted: listing a folder must not cost a stat per entry (a diesel history is 342 folders, listed for one file too).
const stats = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    statSync: ((...args: Parameters<typeof fs.statSync>) => {
      stats.calls++;
      return fs.statSync(...args);
    }) as typeof fs.statSync,
  };
});
const { listFolder } = await import('./files.js');

const root = mkdtempSync(join(tmpdir(), 'migcheck-list-'));
const elsewhere = join(root, 'elsewhere');
mkdirSync(elsewhere);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listFolder', () => {
  it('tells folders from files, following links (to a folder, to a file, dangling), and skips what no tool runs', () => {
    const folder = join(root, 'kinds');
    mkdirSync(join(folder, '2024-01-01-000000_a'), { recursive: true });
    writeFileSync(join(folder, '1_a.sql'), 'SELECT 1;\n');
    writeFileSync(join(folder, '.hidden.sql'), 'SELECT 1;\n');
    symlinkSync(elsewhere, join(folder, '2024-02-01-000000_b'));
    symlinkSync(join(folder, '1_a.sql'), join(folder, '2_b.sql'));
    symlinkSync(join(folder, 'gone'), join(folder, '3_c.sql'));
    expect(listFolder(folder, 'kinds')).toEqual([
      { name: '1_a.sql', isDirectory: false },
      { name: '2024-01-01-000000_a', isDirectory: true },
      { name: '2024-02-01-000000_b', isDirectory: true },
      { name: '2_b.sql', isDirectory: false },
      { name: '3_c.sql', isDirectory: false },
    ]);
  });

  it('stats only the links: the listing says what the other entries are', () => {
    const folder = join(root, 'many');
    for (let index = 0; index < 50; index++) mkdirSync(join(folder, `2024-01-01-0000${String(index).padStart(2, '0')}_m`), { recursive: true });
    writeFileSync(join(folder, '1_a.sql'), 'SELECT 1;\n');
    symlinkSync(elsewhere, join(folder, '2025-01-01-000000_link'));
    stats.calls = 0;
    const entries = listFolder(folder, 'many');
    expect(entries.filter((entry) => entry.isDirectory)).toHaveLength(51);
    expect(stats.calls).toBe(1);
  });
});
