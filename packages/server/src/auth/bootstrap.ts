import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import type { TokenService } from './token-service.js';
import type { UserService } from './user-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';

export const ADMIN_USER = 'admin';
export const DEFAULT_WORKSPACE = 'default';

/** A random secret kept in the database (page-token signing). */
export async function serverSecret(db: Db, key: string): Promise<string> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (row) return row.value;
  const value = randomBytes(32).toString('hex');
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

interface Credentials {
  url: string;
  token: string;
  workspace: string;
  source?: string;
}

/**
 * First start: an admin user and the `default` workspace. Every start: make sure
 * $LATHE_HOME/credentials (mode 0600) holds a working admin token and this server's URL,
 * so the local CLI needs no login. A file written by `lathe login` is left alone.
 */
export async function bootstrap(o: { db: Db; users: UserService; tokens: TokenService; workspaces: WorkspaceService; latheHome: string; url: string }): Promise<{ credentialsFile: string; wroteCredentials: boolean }> {
  let admin = await o.db.selectFrom('users').select('id').where('name', '=', ADMIN_USER).executeTakeFirst();
  let freshToken: string | undefined;
  if (!admin) {
    const created = await o.users.create(ADMIN_USER, true);
    admin = { id: created.id };
    freshToken = created.token;
  }
  const adminPrincipal = { kind: 'user' as const, userId: Number(admin.id), userName: ADMIN_USER, isAdmin: true };
  const ws = await o.db.selectFrom('workspaces').select('id').where('name', '=', DEFAULT_WORKSPACE).executeTakeFirst();
  if (!ws) await o.workspaces.create(adminPrincipal, DEFAULT_WORKSPACE);

  const file = join(o.latheHome, 'credentials');
  let existing: Credentials | undefined;
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Credentials;
  } catch {
    existing = undefined;
  }
  if (existing && existing.source !== 'local-server') return { credentialsFile: file, wroteCredentials: false };
  let token = freshToken;
  if (!token && existing) {
    const valid = await o.tokens.authenticate(`Bearer ${existing.token}`).then((p) => p.userName === ADMIN_USER, () => false);
    if (valid) token = existing.token;
  }
  token ??= await o.tokens.createUserToken(Number(admin.id), 'local credentials');
  await mkdir(o.latheHome, { recursive: true, mode: 0o700 });
  const creds: Credentials = { url: o.url, token, workspace: existing?.workspace ?? DEFAULT_WORKSPACE, source: 'local-server' };
  await writeFile(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { credentialsFile: file, wroteCredentials: true };
}
