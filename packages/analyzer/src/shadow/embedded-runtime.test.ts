/**
 * Where the embedded server's runtime directory goes: in memory (/dev/shm) when it is a tmpfs with room, the server's
 * OS user can run the binaries from there and no TMPDIR says otherwise; else the temp directory.
 */
import { chmod, link, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installedBinaries, runtimeParent, serverUser } from './embedded-runtime.js';
import { memoryFits } from '../../../../test/helpers/memory.js';

const givenTmpdir = process.env.TMPDIR;
afterEach(() => {
  if (givenTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = givenTmpdir;
});

describe('runtimeParent', () => {
  it('follows a TMPDIR the user set', async () => {
    const chosen = await mkdtemp(join(tmpdir(), 'migcheck-runtime-parent-'));
    try {
      process.env.TMPDIR = chosen;
      expect(await runtimeParent(await installedBinaries(), await serverUser())).toBe(chosen);
    } finally {
      await rm(chosen, { recursive: true, force: true });
    }
  });

  it.skipIf(!memoryFits())('puts the data directory in memory when nothing says otherwise', async () => {
    delete process.env.TMPDIR;
    expect(await runtimeParent(await installedBinaries(), await serverUser())).toBe('/dev/shm');
  });

  it.skipIf(!memoryFits() || process.getuid?.() !== 0)('as root, with binaries the server user cannot run, the temp directory (where they can be linked)', async () => {
    const user = await serverUser();
    const installed = await installedBinaries();
    // A private copy of the installation's initdb (a hard link: same file system as the test's temp directory or not).
    const hidden = await mkdtemp(join(tmpdir(), 'migcheck-runtime-private-'));
    try {
      await chmod(hidden, 0o700);
      const initdb = join(hidden, 'initdb');
      await link(installed.initdb, initdb).catch(() => undefined);
      delete process.env.TMPDIR;
      expect(await runtimeParent({ initdb, postgres: join(hidden, 'postgres') }, user)).toBe(tmpdir());
    } finally {
      await rm(hidden, { recursive: true, force: true });
    }
  });
});
