import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor.js';

const run = (values: string[], text: string, chunk: number) => {
  const r = new Redactor();
  r.add(values);
  let out = '';
  for (let i = 0; i < text.length; i += chunk) out += r.push(text.slice(i, i + chunk));
  return out + r.end();
};

describe('Redactor', () => {
  const secret = 's3cr3t-T0ken-value';
  const text = `token=${secret}\nagain ${secret}${secret} and the end ${secret}`;

  it('hides every occurrence whatever the chunking, keeping the rest intact', () => {
    for (const chunk of [1, 2, 5, 7, 18, 19, 1000]) {
      const out = run([secret], text, chunk);
      expect(out).not.toContain(secret);
      expect(out).toBe('token=***\nagain ****** and the end ***');
    }
  });

  it('hides each line of a multi-line value and prefers the longest match', () => {
    const pem = 'LINE-ONE-abc\nLINE-TWO-def';
    expect(run([pem, 'LINE'], `a LINE-ONE-abc b\nLINE-TWO-def c`, 3)).toBe('a *** b\n*** c');
  });

  it('passes text through untouched with no values, and reports values too short to hide', () => {
    const r = new Redactor();
    expect(r.push('abc')).toBe('abc');
    expect(r.add(['ab'])).toEqual(['ab']);
  });

  it('emits complete lines at once (holds back only the unfinished line)', () => {
    const r = new Redactor();
    r.add([secret]);
    expect(r.push('hello\nwor')).toBe('hello\n');
  });
});
