import { describe, expect, it } from 'vitest';
import { compareText, extractDbmateSection } from './layouts.js';

describe('compareText (natural order)', () => {
  it('orders digit runs as numbers', () => {
    const names = ['10_c', '2_b', '1_a', '1.10', '1.9', '001_x', '1_x', '2019-02-26-002946', '2019-02-27-170003', 'R'];
    expect([...names].sort(compareText)).toEqual(['1.9', '1.10', '1_a', '1_x', '001_x', '2_b', '10_c', '2019-02-26-002946', '2019-02-27-170003', 'R']);
  });
});

describe('extractDbmateSection', () => {
  it('keeps the file\'s shape: same lines, same columns', () => {
    const text = '-- migrate:up\nCREATE TABLE a (é int);\n-- migrate:down\nDROP TABLE a;\n';
    const up = extractDbmateSection(text, 'up');
    expect(up.split('\n').map((line) => line.length)).toEqual(text.split('\n').map((line) => line.length));
    expect(up).toContain('CREATE TABLE a (é int);');
    expect(up).not.toContain('DROP');
    expect(extractDbmateSection(text, 'down').trim()).toBe('DROP TABLE a;');
  });
});
