import { LatheError, notFound, invalid, precondition, SECRET_NAME_PATTERN, secretRefName, type SecretInfo } from '@lathe/contract';
import type { DataDb } from '../data/data-tables.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import type { Principal } from '../auth/principal.js';
import type { Keyring } from './master-key.js';

const aad = (wsId: number, name: string) => `lathe-secret/${wsId}/${name}`;

/** Values another area seals under the same master key (endpoint keys): a key rotation re-encrypts them too. */
export interface SealedValues {
  /** Re-encrypt every value not under the active key; returns how many rows changed. */
  reencryptAll(): Promise<number>;
}

/**
 * The workspace vault: values encrypted with AES-256-GCM under a master key kept outside
 * the database. No method returns a value to a user; only `forRun` hands values to a
 * run's own agent, and `resolve` to server-side code (datastore credentials).
 */
export class SecretService {
  constructor(private readonly db: DataDb, private readonly keys: Keyring, private readonly alsoSealed: readonly SealedValues[] = []) {}

  private checkName(name: string): void {
    if (!SECRET_NAME_PATTERN.test(name)) throw invalid(`invalid secret name '${name}': use letters, digits, _ . and -, starting with a letter or _`);
  }

  async list(ws: WorkspaceRef): Promise<SecretInfo[]> {
    const rows = await this.db.selectFrom('secrets').leftJoin('users', 'users.id', 'secrets.user_id')
      .select(['secrets.name', 'secrets.version', 'secrets.created_at', 'secrets.updated_at', 'users.name as user'])
      .where('secrets.workspace_id', '=', ws.id).orderBy('secrets.name').execute();
    return rows.map((r) => ({ name: r.name, version: Number(r.version), created_at: Number(r.created_at), updated_at: Number(r.updated_at), user: r.user ?? '' }));
  }

  async set(ws: WorkspaceRef, userId: number, name: string, value: string): Promise<SecretInfo> {
    this.checkName(name);
    const sealed = this.keys.seal(value, aad(ws.id, name));
    const now = Date.now();
    const cols = { ciphertext: sealed.ciphertext, iv: sealed.iv, tag: sealed.tag, key_id: sealed.keyId, user_id: userId, updated_at: now };
    await this.db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('secrets').select('version').where('workspace_id', '=', ws.id).where('name', '=', name).executeTakeFirst();
      if (old) await trx.updateTable('secrets').set({ ...cols, version: Number(old.version) + 1 }).where('workspace_id', '=', ws.id).where('name', '=', name).execute();
      else await trx.insertInto('secrets').values({ workspace_id: ws.id, name, version: 1, created_at: now, ...cols }).execute();
    });
    const info = (await this.list(ws)).find((s) => s.name === name);
    return info!;
  }

  async delete(ws: WorkspaceRef, name: string): Promise<void> {
    const r = await this.db.deleteFrom('secrets').where('workspace_id', '=', ws.id).where('name', '=', name).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound(`secret '${name}' not found`);
  }

  /** Server-side use only (datastore credentials): the values of the named secrets. */
  async resolve(wsId: number, names: string[], usedBy: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of new Set(names)) {
      const row = await this.db.selectFrom('secrets').selectAll().where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
      if (!row) throw notFound(`${usedBy} uses secret '${name}', which does not exist (create it with: lathe secret set ${name})`);
      out[name] = this.keys.open({ ciphertext: row.ciphertext, iv: row.iv, tag: row.tag, keyId: row.key_id }, aad(wsId, name), `secret '${name}'`);
    }
    return out;
  }

  /** Secret names a job's environment variables reference, or throws naming the first missing one. */
  async checkJobReferences(wsId: number, env: Record<string, string>): Promise<void> {
    for (const [k, v] of Object.entries(env)) {
      if (v.includes('${{secrets.') && secretRefName(v) === null) {
        throw invalid(`environment_variables.${k}: a secret reference must be the whole value ('\${{secrets.NAME}}'), so the value can be redacted from logs`);
      }
    }
    const names = Object.values(env).map(secretRefName).filter((n): n is string => n !== null);
    if (names.length > 0) await this.resolve(wsId, names, 'the job');
  }

  /** The job's secret-valued environment variables, for its own agent while it prepares or runs. */
  async forRun(ws: WorkspaceRef, principal: Principal, runId: string): Promise<Record<string, string>> {
    if (principal.kind !== 'run' || principal.runId !== runId) {
      throw new LatheError('PERMISSION_DENIED', 'secret values are given only to the agent of the run that uses them');
    }
    const run = await this.db.selectFrom('runs').select(['status', 'job']).where('id', '=', runId).where('workspace_id', '=', ws.id).executeTakeFirst();
    if (!run?.job) throw notFound(`job '${runId}' not found`);
    if (run.status !== 'Preparing' && run.status !== 'Running') throw precondition(`job '${runId}' is ${run.status}; secrets are given only while it prepares or runs`);
    const env = (JSON.parse(run.job) as { environment_variables?: Record<string, string> }).environment_variables ?? {};
    const refs = Object.entries(env).flatMap(([k, v]) => {
      const n = secretRefName(v);
      return n ? [[k, n] as const] : [];
    });
    const values = await this.resolve(ws.id, refs.map(([, n]) => n), `job '${runId}'`);
    return Object.fromEntries(refs.map(([k, n]) => [k, values[n]!]));
  }

  /** Re-encrypt every value not under the active key (after a key change); returns how many. */
  async reencryptAll(): Promise<number> {
    const rows = await this.db.selectFrom('secrets').selectAll().where('key_id', '!=', this.keys.activeId).execute();
    for (const row of rows) {
      const wsId = Number(row.workspace_id);
      const plain = this.keys.open({ ciphertext: row.ciphertext, iv: row.iv, tag: row.tag, keyId: row.key_id }, aad(wsId, row.name), `secret '${row.name}'`);
      const s = this.keys.seal(plain, aad(wsId, row.name));
      await this.db.updateTable('secrets').set({ ciphertext: s.ciphertext, iv: s.iv, tag: s.tag, key_id: s.keyId })
        .where('workspace_id', '=', wsId).where('name', '=', row.name).execute();
    }
    return rows.length;
  }

  /**
   * A new master key (key-file keys): re-encrypt everything, then drop the old key.
   * `reencrypted` counts secrets; other areas' sealed values are re-encrypted too, and a
   * failure there keeps the old key in the file, so nothing becomes unreadable.
   */
  async rotate(): Promise<{ key_id: string; reencrypted: number }> {
    if (!this.keys.rotatable) {
      throw precondition('the master key comes from LATHE_MASTER_KEY: put the new key there and the old one in LATHE_MASTER_KEY_PREVIOUS, then restart the server (values are re-encrypted at start)');
    }
    await this.keys.rotate();
    const reencrypted = await this.reencryptAll();
    for (const other of this.alsoSealed) await other.reencryptAll();
    await this.keys.forgetOlder();
    return { key_id: this.keys.activeId, reencrypted };
  }
}
