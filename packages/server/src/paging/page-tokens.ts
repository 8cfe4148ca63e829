import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from '@lathe/contract';

/**
 * Opaque page tokens: the position as JSON, signed with a server secret so a client
 * cannot forge or edit one (a tampered token is INVALID_ARGUMENT, not a strange page).
 * The `scope` ties a token to the list it came from.
 */
export class PageTokens {
  constructor(private readonly secret: string) {}

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 22);
  }

  encode(scope: string, position: Record<string, unknown>): string {
    const payload = Buffer.from(JSON.stringify({ s: scope, p: position })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode<T extends Record<string, unknown>>(scope: string, token: string): T {
    const [payload, mac] = token.split('.');
    const bad = () => invalid('invalid page_token: it was not issued by this server for this list (or was modified)');
    if (!payload || !mac) throw bad();
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; p: T };
    if (parsed.s !== scope) throw bad();
    return parsed.p;
  }
}

/** Offset paging helper shared by every list. */
export function offsetFrom(tokens: PageTokens, scope: string, token: string | undefined): number {
  if (!token) return 0;
  const { offset } = tokens.decode<{ offset: number }>(scope, token);
  if (!Number.isInteger(offset) || offset < 0) throw invalid('invalid page_token');
  return offset;
}

export function nextToken(tokens: PageTokens, scope: string, offset: number, got: number, pageSize: number): string | null {
  return got < pageSize ? null : tokens.encode(scope, { offset: offset + got });
}
