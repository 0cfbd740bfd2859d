/**
 * Finds and reads the configuration: migcheck.config.json, migcheck.config.jsonc, or the "migcheck" key of a
 * package.json, in the working directory or the nearest folder above it that has one. A bad file is a
 * UsageError naming the file and the key (exit 2), never a silently ignored setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { visible } from '../sql/visible.js';
import { parseJsonc } from './jsonc.js';
import type { LoadedConfig, MigcheckConfig } from './types.js';

export const CONFIG_FILES = ['migcheck.config.json', 'migcheck.config.jsonc'] as const;

function readJson(path: string, jsonc: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${visible(path)}: cannot read the configuration: ${visible((error as Error).message)}`);
  }
  try {
    return jsonc ? parseJsonc(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${visible(path)}: not valid JSON${jsonc ? ' (with comments)' : ''}: ${visible((error as Error).message)}`);
  }
}

/** The nearest configuration at or above `cwd`, unparsed: the file and its raw value. */
function findConfig(cwd: string): { path: string; value: unknown } | undefined {
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    for (const name of CONFIG_FILES) {
      const path = join(folder, name);
      if (existsSync(path)) return { path, value: readJson(path, name.endsWith('.jsonc')) };
    }
    const packageJson = join(folder, 'package.json');
    if (existsSync(packageJson)) {
      const value = readJson(packageJson, false);
      if (value !== null && typeof value === 'object' && 'migcheck' in value) return { path: packageJson, value: value.migcheck };
    }
    if (dirname(folder) === folder) return undefined;
  }
}

/** Validates a configuration value; `path` names the file in the messages and anchors its relative paths. */
export async function parseConfig(value: unknown, path: string): Promise<MigcheckConfig> {
  const { configSchema } = await import('./schema.js');
  const prefix = path.endsWith('package.json') ? 'migcheck.' : '';
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const key = [...issue.path.map(String), ...keys.slice(0, 1)].join('.');
    const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new UsageError(`${visible(path)}: ${key ? `${prefix}${visible(key)}: ` : prefix ? 'migcheck: ' : ''}${visible(message)}`);
  }
  const { $schema: _schema, ...config } = parsed.data;
  const folder = dirname(path);
  const anchored = (relative: string) => (isAbsolute(relative) ? relative : join(folder, relative));
  return {
    ...config,
    ...(config.exclude ? { exclude: config.exclude.map(anchored) } : {}),
    ...(config.knexfile ? { knexfile: anchored(config.knexfile) } : {}),
  };
}

/** The configuration in effect for `cwd`, or undefined when no file has one. */
export async function loadConfig(cwd: string = process.cwd()): Promise<LoadedConfig | undefined> {
  const found = findConfig(cwd);
  if (!found) return undefined;
  return { config: await parseConfig(found.value, found.path), path: found.path };
}
