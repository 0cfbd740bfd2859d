import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonc } from '../../packages/analyzer/src/config/jsonc.js';
import { loadConfig } from '../../packages/analyzer/src/config/load.js';
import { migcheck, repoRoot } from '../helpers/cli.js';

/** A project with the shop fixture and, optionally, a configuration file at its root. */
function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-config-'));
  cpSync(join(repoRoot, 'fixtures/shop'), join(dir, 'shop'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const lint = (cwd: string, ...flags: string[]) => migcheck(['lint', 'shop/migrations', '--no-shadow', ...flags], { cwd });

describe('the configuration file', () => {
  it('is found from the working directory upward, in any of its three places', async () => {
    const json = project({ 'migcheck.config.json': '{"failOn": "none"}' });
    mkdirSync(join(json, 'deep/er'), { recursive: true });
    expect((await loadConfig(join(json, 'deep/er')))?.config.failOn).toBe('none');
    const jsonc = project({ 'migcheck.config.jsonc': '// c\n{ "failOn": "risky", /* x */ }' });
    expect((await loadConfig(jsonc))?.path).toBe(join(jsonc, 'migcheck.config.jsonc'));
    const pkg = project({ 'package.json': '{"name": "x", "migcheck": {"knexfile": "k.js"}}' });
    expect((await loadConfig(pkg))?.config.knexfile).toBe(join(pkg, 'k.js'));
    expect(await loadConfig(project({ 'package.json': '{"name": "x"}' }))).toBeUndefined();
  });

  it('sets failOn and format; a flag wins over the file', () => {
    const dir = project({ 'migcheck.config.json': '{"failOn": "none", "format": "json"}' });
    const result = lint(dir);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).command).toBe('lint');
    expect(lint(dir, '--fail-on', 'irreversible', '--format', 'text').status).toBe(1);
  });

  it('rule levels change the exit code, never the verdict', () => {
    const off = lint(project({ 'migcheck.config.json': '{"rules": {"drop-column": "off"}}' }));
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/2:1 +IRREVERSIBLE drop-column/);
    const warn = project({ 'migcheck.config.json': '{"rules": {"drop-column": "warn"}}' });
    expect(lint(warn).status).toBe(0);
    expect(lint(warn, '--fail-on', 'risky').status).toBe(1);
    expect(lint(project({ 'migcheck.config.json': '{"rules": {"drop-column": "error"}}' })).status).toBe(1);
  });

  it('excludes migrations from the targets', () => {
    const result = lint(project({ 'migcheck.config.json': '{"exclude": ["shop/migrations/*_drop_*.sql"]}' }));
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('drop_phone');
  });

  it.each([
    ['{"failOn": "sometimes"}', 'migcheck.config.json: failOn: '],
    ['{"rulez": {}}', 'migcheck.config.json: rulez: unknown key'],
    ['{"rules": {"no-such-rule": "off"}}', 'migcheck.config.json: rules.no-such-rule: unknown rule "no-such-rule"'],
    ['{"probeTimeout": -1}', 'migcheck.config.json: probeTimeout: '],
    ['{"failOn": ', 'migcheck.config.json: not valid JSON'],
  ])('a bad file %s exits 2 with one line naming the file and the key', (text, message) => {
    const result = lint(project({ 'migcheck.config.json': text }));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('`migcheck init` writes a commented starter that loads, and refuses to overwrite it', async () => {
    const dir = project();
    expect(migcheck(['init'], { cwd: dir }).status).toBe(0);
    const text = readFileSync(join(dir, 'migcheck.config.jsonc'), 'utf8');
    expect(text).toContain('// ');
    expect((await loadConfig(dir))?.config.failOn).toBe('irreversible');
    expect(lint(dir).status).toBe(1);
    const again = migcheck(['init'], { cwd: dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('parses JSONC: comments and trailing commas outside strings only', () => {
    expect(parseJsonc('{ "a": "// not a comment, }", /* c */ "b": [1, 2,], } // end')).toEqual({ a: '// not a comment, }', b: [1, 2] });
  });
});
