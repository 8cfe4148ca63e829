import { createHash, randomBytes } from 'node:crypto';
import { LatheError } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { Principal } from './principal.js';
import { TtlCache } from '../caching/ttl-cache.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Tokens are random, shown once, and stored only as their sha256. */
export class TokenService {
  /** Principals by token hash: most calls skip the token lookup (revocations here clear it). */
  private readonly known = new TtlCache<Principal>(5_000);

  constructor(private readonly db: Db) {}

  async createUserToken(userId: number, name: string): Promise<string> {
    const token = `lathe_${randomBytes(32).toString('base64url')}`;
    await this.db.insertInto('tokens').values({ token_hash: hashToken(token), user_id: userId, run_id: null, workspace_id: null, name, created_at: Date.now(), expires_at: null }).execute();
    return token;
  }

  /** A token that may only act on one run (and the child runs it creates). */
  async createRunToken(userId: number, runId: string, workspaceId: number): Promise<string> {
    const token = `lathe_run_${randomBytes(32).toString('base64url')}`;
    await this.db.insertInto('tokens').values({ token_hash: hashToken(token), user_id: userId, run_id: runId, workspace_id: workspaceId, name: `run ${runId}`, created_at: Date.now(), expires_at: null }).execute();
    return token;
  }

  async revokeRunTokens(runId: string): Promise<void> {
    const res = await this.db.deleteFrom('tokens').where('run_id', '=', runId).executeTakeFirst();
    if (Number(res.numDeletedRows) > 0) this.known.clear();
  }

  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw new LatheError('UNAUTHENTICATED', 'missing Authorization header: send "Authorization: Bearer <token>" (the local token is in ~/.lathe/credentials)');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new LatheError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    const hash = hashToken(match[1]!);
    const cached = this.known.get(hash);
    if (cached) return cached;
    const row = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .select(['tokens.user_id', 'tokens.run_id', 'tokens.workspace_id', 'tokens.expires_at', 'users.name', 'users.is_admin'])
      .where('tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && row.expires_at < Date.now())) {
      throw new LatheError('UNAUTHENTICATED', 'the token is not valid (unknown, revoked or expired)');
    }
    const principal: Principal = row.run_id !== null && row.workspace_id !== null
      ? { kind: 'run', userId: Number(row.user_id), userName: row.name, isAdmin: false, runId: row.run_id, workspaceId: Number(row.workspace_id) }
      : { kind: 'user', userId: Number(row.user_id), userName: row.name, isAdmin: row.is_admin === 1 };
    this.known.set(hash, principal, row.expires_at ?? Infinity);
    return principal;
  }
}
