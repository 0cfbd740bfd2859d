/**
 * The hostile-input corpus and the checks every output format must pass with it (issue 7, item 1): names and
 * paths that try to end a SQL comment, break out of a quoted token, start a psql meta-command, forge a line or a
 * workflow command, or drive a terminal.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parseSql, loadParser, type ParsedStatement } from '../../packages/analyzer/src/source/parse.js';
import { SqlText } from '../../packages/analyzer/src/source/sql-text.js';
import type { Report } from '../../packages/analyzer/src/report/schema.js';
import { onlineSteps } from '../../packages/analyzer/src/plan/online/index.js';

await loadParser();

/** Where a payload that escaped would leave a trace: psql's `\!` runs a shell command. */
export function shellMarker(dir: string): string {
  return join(dir, 'pwned');
}

/** Names that each try a different way out. `marker` is a file a psql meta-command would create. */
export function hostileNames(marker: string): Record<string, string> {
  return {
    newline: 'x\nDROP TABLE orders; --',
    'carriage return': 'x\rDROP TABLE orders; --',
    crlf: 'x\r\nDROP TABLE orders; --',
    'line separator': 'x\u2028DROP TABLE orders; --',
    'psql meta-command': `x\n\\! touch ${marker}\n--`,
    'double quote': 'x"; DROP TABLE orders; --',
    'single quote': "x'; DROP TABLE orders; --",
    backslash: "x\\'; DROP TABLE orders; --\\",
    'block comment end': 'x*/ DROP TABLE orders; /*',
    semicolon: 'select; DROP TABLE orders',
    'escape sequence': 'x\x1b[2J\x1b]0;owned\x07\x1b[31m',
    'C1 control': 'x\u009b31m\u0085DROP TABLE orders',
    'bidi override': 'users\u202e\u2066sredro\u2069',
    'non-ASCII': 'prénom_日本語_Ωμέγα',
    'markdown and workflow': 'x|y`z::error file=a::forged%0A<b>@everyone</b>',
    // 70 bytes: Postgres truncates it to 63; the rollback must still name the object that was created.
    'longer than NAMEDATALEN': `long_${'n'.repeat(65)}`,
    'long multibyte': `é${'日'.repeat(30)}`,
  };
}

export function quoteIdentForTest(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Unprintable characters that must never reach a terminal raw (LF only as the format's own line break). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

export function rawControlIn(text: string): string | undefined {
  const match = RAW_CONTROL.exec(text);
  return match ? `U+${match[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${match.index}: ${JSON.stringify(text.slice(Math.max(0, match.index - 30), match.index + 30))}` : undefined;
}

/** What each human format must look like: no raw control bytes, and no line that a payload forged. */
export function checkHumanFormat(format: 'text' | 'github' | 'markdown', output: string, report: Report): string[] {
  const problems: string[] = [];
  const control = rawControlIn(output);
  if (control) problems.push(`${format}: raw control character ${control}`);
  const lines = output.split('\n');
  const changes = report.migrations.flatMap((migration) => migration.changes);
  if (format === 'text') {
    const findings = lines.filter((line) => /^ {2}\d+:\d+ /.test(line));
    if (findings.length !== changes.length) problems.push(`text: ${findings.length} finding lines for ${changes.length} changes`);
    const verdictLine = lines.findIndex((line) => line.startsWith('Verdict:'));
    const headers = lines.slice(0, verdictLine).filter((line) => /^\S/.test(line));
    if (headers.length !== report.migrations.length) {
      problems.push(`text: ${headers.length} migration header lines for ${report.migrations.length} migrations: ${JSON.stringify(headers)}`);
    }
  }
  if (format === 'github') {
    const commands = lines.filter((line) => line.startsWith('::'));
    // One annotation per change that is not safe, and one notice per migration whose prior schema is unknown.
    const notices = report.migrations.filter((migration) => migration.history?.failure).length;
    const expected = changes.filter((change) => change.verdict !== 'safe').length + notices;
    if (commands.length !== expected) problems.push(`github: ${commands.length} workflow commands for ${expected} annotated changes and history notices`);
    for (const line of lines.slice(0, -2)) {
      const annotation = /^::(error|warning) file=[^:]*,line=\d+,col=\d+,title=[^:]*::/.test(line);
      const notice = /^::notice file=[^:]*,line=1,title=[^:]*::/.test(line);
      if (!annotation && !notice) problems.push(`github: a line that is not one well-formed command: ${JSON.stringify(line)}`);
    }
  }
  if (format === 'markdown') {
    const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| line |'));
    if (rows.length !== changes.length) problems.push(`markdown: ${rows.length} table rows for ${changes.length} changes`);
    for (const row of rows) {
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      if (cells !== 6) problems.push(`markdown: a row with ${cells} cells: ${JSON.stringify(row)}`);
    }
    problems.push(...markdownProblems(output));
  }
  return problems;
}

/** The markdown's fenced rollback script holds the real SQL (newlines inside quoted names are part of it). */
function withoutSqlFence(markdown: string): string {
  return markdown.replace(/^(`{3,})sql\n[\s\S]*?\n\1$/m, '');
}

/**
 * A line of markdown split as CommonMark reads it: backslash escapes outside code, and code spans that a run
 * of n backticks opens and the next run of exactly n closes. A run without its closer is reported: the
 * formatter escapes every backtick outside code, so one left over means a span ended early.
 */
function markdownOutsideCode(line: string): { text: string; problems: string[] } {
  let text = '';
  const problems: string[] = [];
  let index = 0;
  while (index < line.length) {
    const character = line[index]!;
    if (character === '\\') {
      index += 2;
      continue;
    }
    if (character === '`') {
      const run = /^`+/.exec(line.slice(index))![0];
      const after = line.slice(index + run.length);
      const closer = new RegExp(`(?<!\`)${run}(?!\`)`).exec(after);
      if (!closer) {
        problems.push(`an unmatched backtick run in ${JSON.stringify(line)}`);
        index += run.length;
        continue;
      }
      index += run.length + closer.index + run.length;
      continue;
    }
    text += character;
    index += 1;
  }
  return { text, problems };
}

function markdownProblems(markdown: string): string[] {
  const problems: string[] = [];
  for (const line of withoutSqlFence(markdown).split('\n')) {
    const { text, problems: spans } = markdownOutsideCode(line);
    problems.push(...spans.map((problem) => `markdown: ${problem}`));
    const html = /<(?!br>|details>|\/details>|summary>|\/summary>)[a-z/!?]/i.exec(text);
    if (html) problems.push(`markdown: raw HTML outside code in ${JSON.stringify(line)}`);
  }
  return problems;
}

export function checkJson(format: 'json' | 'sarif' | 'gitlab', output: string): string[] {
  const problems: string[] = [];
  try {
    const parsed = JSON.parse(output) as { runs?: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    const uris = (parsed.runs ?? []).flatMap((run) => run.results.flatMap((result) => result.locations.map((location) => location.physicalLocation.artifactLocation.uri)));
    for (const uri of uris) if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(uri)) problems.push(`${format}: not a URI reference: ${JSON.stringify(uri)}`);
  } catch (error) {
    problems.push(`${format}: not valid JSON: ${String(error)}`);
  }
  const control = rawControlIn(output);
  if (control) problems.push(`${format}: raw control character ${control}`);
  return problems;
}

/**
 * The statements psql would send: exactly BEGIN/COMMIT and the report's rollback steps, nothing else (a comment
 * ended early shows up as an extra statement; a `\!` outside a quoted token as a parse error).
 */
export function checkSqlStatements(sql: string, report: Report): string[] {
  let statements: string[];
  try {
    statements = parseSql(new SqlText(sql), 'output.sql').map((statement) => normalise(statement.text));
  } catch (error) {
    return [`sql: the output does not parse: ${String(error)}`];
  }
  const logical = report.migrations.flatMap((migration) => migration.changes.flatMap((change) => change.rollback));
  // Each logical step as the script runs it: its online forms (plan/online/), and the script's own timeouts.
  const online = logical.flatMap((step) => onlineSteps({ sql: step, timing: 'any', transactional: true }).map((form) => form.sql));
  const steps = new Set([...logical, ...online].map(normalise));
  steps.add('BEGIN').add('COMMIT');
  for (const statement of statements) if (/^SET (lock_timeout|statement_timeout) = '\w+'$/.test(statement)) steps.add(statement);
  // The script's verification queries (plan/verification/), each exactly as the report lists it.
  for (const query of report.rollback?.verification?.queries ?? []) steps.add(normalise(query.sql));
  if (report.rollback === null && statements.length > 0) return [`sql: a forward-fix-only output holds statements: ${JSON.stringify(statements)}`];
  return statements.filter((statement) => !steps.has(statement)).map((statement) => `sql: a statement that is not a rollback step: ${JSON.stringify(statement)}`);
}

/**
 * `--format verify`: exactly the report's verification queries, each one `SELECT` (a name that ended a comment or a
 * literal early would show as another statement, or as a statement that is not a query).
 */
export function checkVerifyStatements(sql: string, report: Report): string[] {
  let statements: ParsedStatement[];
  try {
    statements = parseSql(new SqlText(sql), 'verify.sql');
  } catch (error) {
    return [`verify: the output does not parse: ${String(error)}`];
  }
  const expected = (report.rollback?.verification?.queries ?? []).map((query) => normalise(query.sql)).sort();
  const problems = statements.filter((statement) => Object.keys(statement.node)[0] !== 'SelectStmt').map((statement) => `verify: not a query: ${JSON.stringify(statement.text)}`);
  const found = statements.map((statement) => normalise(statement.text)).sort();
  if (JSON.stringify(found) !== JSON.stringify(expected)) problems.push(`verify: statements ${JSON.stringify(found)} are not the verification queries ${JSON.stringify(expected)}`);
  return problems;
}

function normalise(statement: string): string {
  return statement.trim().replace(/;$/, '').trim();
}

export interface PsqlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a script as an operator would: `psql -v ON_ERROR_STOP=1 -f`, without ~/.psqlrc. */
export function psql(url: string, script: string, dir: string): PsqlResult {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, script);
  const result = spawnSync('/usr/bin/psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file], { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The tables that must survive whatever the output does. */
export const SENTINELS = `
  CREATE TABLE orders (id int PRIMARY KEY, total numeric);
  INSERT INTO orders VALUES (1, 10), (2, 20);
  CREATE TABLE users (id int PRIMARY KEY, name text);
  INSERT INTO users VALUES (1, 'alice');
`;

export async function sentinelsIntact(client: pg.Client): Promise<string[]> {
  const problems: string[] = [];
  const tables = await client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname IN ('orders', 'users') AND relkind = 'r'`);
  if (tables.rows.length !== 2) problems.push(`sentinel tables left: ${tables.rows.map((row) => row.relname).join(', ') || 'none'}`);
  else {
    const orders = await client.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    if (orders.rows[0]?.n !== '2') problems.push(`orders holds ${orders.rows[0]?.n} rows, not 2`);
  }
  return problems;
}
