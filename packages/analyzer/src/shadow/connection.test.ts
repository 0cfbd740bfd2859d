import { describe, expect, test } from 'vitest';
import { redactUrl, scrubbedMessage } from './connection.js';

describe('redactUrl', () => {
  test('hides the password, also in query parameters', () => {
    expect(redactUrl('postgres://user:s3cret@db.example:5432/app')).toBe('postgres://user:***@db.example:5432/app');
    expect(redactUrl('postgres://user@db/app?sslpassword=key&sslmode=require')).toBe(
      'postgres://user@db/app?sslpassword=***&sslmode=require',
    );
    expect(redactUrl('postgres://db/app')).toBe('postgres://db/app');
  });

  test('never echoes what it cannot parse', () => {
    expect(redactUrl('postgres://user:s3cret@[bad')).toBe('<unparsable database URL>');
  });
});

describe('scrubbedMessage', () => {
  test('replaces the URL and its password, raw or percent-decoded', () => {
    const url = 'postgres://user:p%40ss-word@db/app';
    expect(scrubbedMessage(new Error(`failed: ${url}`), url)).toBe('failed: postgres://user:***@db/app');
    expect(scrubbedMessage(new Error('bad password p@ss-word given'), url)).toBe('bad password *** given');
  });
});
