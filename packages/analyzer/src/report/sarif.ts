/** `--format sarif`: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps). */
import { ruleDocs } from '../changes/registry.js';
import { VERSION } from '../version.js';
import type { Report } from './schema.js';

const LEVEL = { safe: 'note', risky: 'warning', irreversible: 'error' } as const;

export function formatSarif(report: Report): string {
  const results = report.migrations.flatMap((migration) =>
    migration.changes.map((change) => ({
      ruleId: change.rule,
      level: change.acknowledged ? 'note' : LEVEL[change.verdict],
      message: { text: `${change.verdict}: ${change.reason}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: migration.path },
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
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
