import { describe, expect, it } from 'vitest';
import { migcheck } from '../helpers/cli.js';

describe('--format gitlab', () => {
  it('writes a GitLab Code Quality report: one issue per change that is not safe', () => {
    const result = migcheck(['lint', 'fixtures/shop/migrations', '--no-shadow', '--format', 'gitlab']);
    expect(result.status).toBe(1);
    const issues = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(issues).toEqual([
      {
        description: expect.stringMatching(/^risky: /),
        check_name: 'migcheck/alter-column-type',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        severity: 'major',
        location: { path: 'fixtures/shop/migrations/000004_widen_age.up.sql', lines: { begin: 2 } },
      },
      {
        description: expect.stringMatching(/^irreversible: Dropping column phone/),
        check_name: 'migcheck/drop-column',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        severity: 'critical',
        location: { path: 'fixtures/shop/migrations/000005_drop_phone.up.sql', lines: { begin: 2 } },
      },
    ]);
    expect(new Set(issues.map((issue) => issue.fingerprint)).size).toBe(issues.length);
  });
});
