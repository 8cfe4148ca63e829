import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, runCli, startLathe, waitFor, type LatheProcess } from './support/lathe-process.js';

interface KeyRow {
  primary_key: string;
  secondary_key: string;
  key_id: string | null;
}
interface Keys {
  primaryKey: string;
  secondaryKey: string;
}

describe('endpoint keys are sealed under the master key at rest', () => {
  let lathe: LatheProcess;
  const cli = (args: string[]) => runCli(lathe.home, args);
  const credentials = async (): Promise<Keys> => {
    const res = await cli(['online-endpoint', 'get-credentials', '-n', 'keyed', '-o', 'json']);
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as Keys;
  };
  const score = async (key: string) => (await fetch(`${lathe.url}/endpoints/keyed/score`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{}' })).status;
  const dbFile = () => join(lathe.dataDir, 'lathe.db');
  const row = (): KeyRow => {
    const db = new Database(dbFile(), { readonly: true });
    try {
      return db.prepare('SELECT primary_key, secondary_key, key_id FROM online_endpoints WHERE name = ?').get('keyed') as KeyRow;
    } finally {
      db.close();
    }
  };
  /** The database's bytes as stored, WAL included: a key must not be anywhere in them. */
  const stored = () => ['', '-wal'].map((s) => {
    try {
      return readFileSync(`${dbFile()}${s}`).toString('latin1');
    } catch {
      return '';
    }
  }).join('');
  const activeMasterKey = () => (JSON.parse(readFileSync(join(lathe.dataDir, 'master.key'), 'utf8')) as { active: string }).active;
  const expectSealed = (keys: Keys) => {
    const r = row();
    expect(r.key_id).toBe(activeMasterKey());
    for (const k of [keys.primaryKey, keys.secondaryKey]) {
      expect(r.primary_key).not.toContain(k);
      expect(r.secondary_key).not.toContain(k);
      expect(stored()).not.toContain(k);
    }
  };
  const restart = async (between?: () => void) => {
    await lathe.stop();
    between?.();
    lathe = await startLathe({ home: lathe.home });
    await waitFor('the deployment to serve again', async () => {
      const d = await lathe.client.call('getOnlineDeployment', { params: { endpoint: 'keyed', deployment: 'blue' } });
      return d.replicas.some((r) => r.state === 'ready');
    });
  };

  beforeAll(async () => {
    lathe = await startLathe();
    const dir = join(lathe.home, 'work');
    mkdirSync(join(dir, 'code'), { recursive: true });
    writeFileSync(join(dir, 'code/score.mjs'), 'export function init() {}\nexport function run(raw) { return { echoed: JSON.parse(raw) }; }\n');
    writeFileSync(join(dir, 'endpoint.yml'), 'name: keyed\nauth_mode: key\n');
    writeFileSync(join(dir, 'blue.yml'), 'name: blue\nendpoint_name: keyed\ncode_configuration:\n  code: code\n  scoring_script: score.mjs\ninstance_count: 1\n');
    writeFileSync(join(dir, 'request.json'), '{"x": 1}');
    expect((await cli(['online-endpoint', 'create', '-f', join(dir, 'endpoint.yml')])).code).toBe(0);
    expect((await cli(['online-deployment', 'create', '-f', join(dir, 'blue.yml'), '--all-traffic'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  it('keeps keys out of the database; get-credentials and invoke still work', async () => {
    const keys = await credentials();
    expect(keys.primaryKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expectSealed(keys);
    const inv = await cli(['online-endpoint', 'invoke', '-n', 'keyed', '--request-file', join(lathe.home, 'work/request.json')]);
    expect(inv.code).toBe(0);
    expect(JSON.parse(inv.stdout)).toEqual({ echoed: { x: 1 } });
    expect(await score(keys.secondaryKey)).toBe(200);
    expect(await score(`${keys.primaryKey}x`)).toBe(401);
  });

  it('regenerates a key: sealed too, the old one refused, the other kept', async () => {
    const before = await credentials();
    expect((await cli(['online-endpoint', 'regenerate-keys', '-n', 'keyed', '--key-type', 'primary'])).code).toBe(0);
    const after = await credentials();
    expect(after.primaryKey).not.toBe(before.primaryKey);
    expect(after.secondaryKey).toBe(before.secondaryKey);
    expectSealed(after);
    expect(await score(before.primaryKey)).toBe(401);
    expect(await score(after.primaryKey)).toBe(200);
  });

  it('re-encrypts keys when the master key rotates, and they survive a restart', async () => {
    const keys = await credentials();
    const sealedBefore = row();
    const rotated = await cli(['secret', 'rotate-key', '-o', 'json']);
    expect(rotated.code).toBe(0);
    const newKeyId = (JSON.parse(rotated.stdout) as { key_id: string }).key_id;
    expect(newKeyId).not.toBe(sealedBefore.key_id);
    // The old master key is gone from the file: only re-encrypted keys can still be opened.
    expect(row().key_id).toBe(newKeyId);
    expect(row().primary_key).not.toBe(sealedBefore.primary_key);
    expect(await credentials()).toEqual(keys);
    expect(await score(keys.primaryKey)).toBe(200);

    await restart();
    expect(await credentials()).toEqual(keys);
    expect(await score(keys.primaryKey)).toBe(200);
    expect(await score(keys.secondaryKey)).toBe(200);
  }, 60_000);

  it('seals the plaintext keys of a database from before keys were sealed, at start', async () => {
    const legacy = { primaryKey: 'legacy-primary-key-0123456789', secondaryKey: 'legacy-secondary-key-0123456789' };
    await restart(() => {
      // Make the database what an older server left: plaintext keys, no key_id column, migration 0007
      // (and the later ones, which a server from before 0007 did not have either) not applied.
      const db = new Database(dbFile());
      try {
        db.prepare('UPDATE online_endpoints SET primary_key = ?, secondary_key = ? WHERE name = ?').run(legacy.primaryKey, legacy.secondaryKey, 'keyed');
        db.exec('ALTER TABLE online_endpoints DROP COLUMN key_id');
        expect(db.prepare("DELETE FROM kysely_migration WHERE name >= '0007'").run().changes).toBeGreaterThanOrEqual(1);
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      expect(stored()).toContain(legacy.primaryKey);
    });
    expect(await credentials()).toEqual(legacy);
    const r = row();
    expect(r.key_id).toBe(activeMasterKey());
    expect(r.primary_key).not.toContain(legacy.primaryKey);
    expect(r.secondary_key).not.toContain(legacy.secondaryKey);
    expect(await score(legacy.primaryKey)).toBe(200);
    expect(await score(legacy.secondaryKey)).toBe(200);
  }, 60_000);
});
