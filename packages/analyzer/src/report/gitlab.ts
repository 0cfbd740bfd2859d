/**
 * `--format gitlab`: a GitLab Code Quality report (a JSON array of issues), which GitLab shows in the merge
 * request. Irreversible changes are critical, risky ones major, acknowledged ones minor; safe ones are not
 * reported. Paths are as the report shows them (relative to the working directory: run from the repository root).
 * The fingerprint leaves out the line, so an issue keeps its identity when lines above it move.
 */
import { createHash } from 'node:crypto';
import { visible } from '../sql/visible.js';
import type { Report } from './schema.js';

interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function formatGitlab(report: Report): string {
  const issues: CodeQualityIssue[] = [];
  for (const migration of report.migrations) {
    if (migration.history?.failure) {
      issues.push({
        description: visible(`Prior schema unknown: the history could not be replayed (${migration.history.failure}); the verdicts of this migration rest on the statements alone.`),
        check_name: 'migcheck/prior-schema-unknown',
        fingerprint: fingerprint('prior-schema-unknown', migration.path),
        severity: 'info',
        location: { path: migration.path, lines: { begin: 1 } },
      });
    }
    const seen = new Map<string, number>();
    for (const change of migration.changes) {
      if (change.verdict === 'safe') continue;
      const identity = `${change.rule}\u0000${change.object}`;
      const occurrence = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, occurrence);
      issues.push({
        description: visible(`${change.verdict}${change.acknowledged ? ' (acknowledged)' : ''}: ${change.reason}`),
        check_name: `migcheck/${change.rule}`,
        fingerprint: fingerprint(change.rule, migration.path, change.object, String(occurrence)),
        severity: change.acknowledged ? 'minor' : change.verdict === 'irreversible' ? 'critical' : 'major',
        location: { path: migration.path, lines: { begin: change.line } },
      });
    }
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
