/**
 * The layering of DESIGN.md ("Architecture") holds: no folder of packages/analyzer/src imports, through any
 * chain, a folder that imports it back, and no file does so within its folder. Type-only imports count too:
 * a type that two layers share belongs to the lower one, or the layering says nothing about what may change
 * without touching the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../packages/analyzer/src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports, static or dynamic (`import('./x.js')`), type-only ones included. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** File (relative to src, .ts) → the files it imports. */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SOURCE)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]!).replace(/\.js$/, '.ts');
      targets.add(relative(SOURCE, target));
    }
    graph.set(relative(SOURCE, file), targets);
  }
  return graph;
}

/** The folder a file belongs to: `changes/rules/x.ts` → `changes`; top-level files are each their own. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length === 1 ? file : parts[0]!;
}

/** Every elementary cycle found by a depth-first search, each once (as the path that closes it). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'active') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          found.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

function folderGraph(files: Map<string, Set<string>>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    graph.set(from, edges);
  }
  return graph;
}

/** For a folder-level edge, the file imports that make it, so a failure says where to look. */
function witnesses(files: Map<string, Set<string>>, from: string, to: string): string[] {
  return [...files].flatMap(([file, targets]) =>
    folderOf(file) === from ? [...targets].filter((target) => folderOf(target) === to).map((target) => `${file} → ${target}`) : [],
  );
}

describe('architecture', () => {
  const files = importGraph();

  it('reads the imports of the analyzer (the graph is not empty)', () => {
    expect(files.size).toBeGreaterThan(50);
    expect(files.get('commands.ts')).toContain('plan/analyze.ts');
  });

  it('has no import cycle between folders of packages/analyzer/src', () => {
    const folders = folderGraph(files);
    const described = cycles(folders).map((cycle) => {
      const edges = cycle.slice(0, -1).map((from, index) => `  ${from} → ${cycle[index + 1]}: ${witnesses(files, from, cycle[index + 1]!).join(', ')}`);
      return [cycle.join(' → '), ...edges].join('\n');
    });
    expect(described, `folder-level import cycles:\n${described.join('\n')}`).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const described = cycles(files).map((cycle) => cycle.join(' → '));
    expect(described, `file-level import cycles:\n${described.join('\n')}`).toEqual([]);
  });

  it('keeps sql/ the bottom layer: it imports nothing of the analyzer outside itself', () => {
    const upward = [...files].filter(([file]) => folderOf(file) === 'sql').flatMap(([file, targets]) => [...targets].filter((target) => folderOf(target) !== 'sql').map((target) => `${file} → ${target}`));
    expect(upward).toEqual([]);
  });

  it('loads libpg-query only through sql/parser.ts: every other module imports its types alone', () => {
    // A value import anywhere else would load the parser's WASM at start-up, on paths that parse nothing.
    const valueImport = /^import\s+(?!type\b)[^;]*?\bfrom\s*['"]libpg-query['"]|\bimport\s*\(\s*['"]libpg-query['"]/m;
    const loading = sourceFiles(SOURCE).filter((file) => valueImport.test(readFileSync(file, 'utf8'))).map((file) => relative(SOURCE, file));
    expect(loading).toEqual(['sql/parser.ts']);
  });
});
