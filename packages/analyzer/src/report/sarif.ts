/** `--format sarif`: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps). */
import { ruleDocs } from '../changes/registry.js';
import { VERSION } from '../version.js';
import { inertJson } from './json.js';
import type { Report } from './schema.js';

const LEVEL = { safe: 'note', risky: 'warning', irreversible: 'error' } as const;

export function formatSarif(report: Report): string {
  const results = report.migrations.flatMap((migration) =>
    migration.changes.map((change) => ({
      ruleId: change.rule,
      level: change.acknowledged ? 'note' : LEVEL[change.verdict],
      // Notes ride with the verdict: "prior schema unknown" above all, which changes what the verdict rests on.
      message: { text: [`${change.verdict}: ${change.reason}`, ...(change.notes ?? [])].join(' ') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uriReference(migration.path) },
            region: { startLine: change.line, startColumn: change.column },
          },
        },
      ],
      properties: { verdict: change.verdict, kind: change.kind, object: change.object, evidence: change.evidence },
    })),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migcheck',
            version: VERSION,
            rules: ruleDocs().map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.explain.replace(/\n/g, ' ') },
            })),
          },
        },
        results,
      },
    ],
  };
  return inertJson(sarif);
}

/**
 * SARIF wants a URI reference: each path segment percent-encoded, so a space, `#`, `?`, `:` or a line break in
 * a file name neither changes its meaning nor breaks a consumer's parser.
 */
function uriReference(path: string): string {
  return path
    .replace(/\p{Cs}/gu, '\uFFFD')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}
