import { describe, expect, it } from 'vitest';
import { PageTokens } from './page-tokens.js';

describe('page tokens', () => {
  const tokens = new PageTokens('secret');
  it('round-trips a position for its own list', () => {
    expect(tokens.decode('runs:1', tokens.encode('runs:1', { offset: 50 }))).toEqual({ offset: 50 });
  });
  it('refuses a token for another list, a forged one and garbage', () => {
    const t = tokens.encode('runs:1', { offset: 50 });
    expect(() => tokens.decode('runs:2', t)).toThrow(/page_token/);
    const forged = `${Buffer.from(JSON.stringify({ s: 'runs:1', p: { offset: 0 } })).toString('base64url')}.${t.split('.')[1]}`;
    expect(() => tokens.decode('runs:1', forged)).toThrow(/page_token/);
    expect(() => new PageTokens('other').decode('runs:1', t)).toThrow(/page_token/);
    expect(() => tokens.decode('runs:1', 'garbage')).toThrow(/page_token/);
  });
});
