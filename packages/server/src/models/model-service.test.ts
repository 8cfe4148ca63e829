import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { openDatabase, type Db } from '../db/database.js';
import { sqliteDialect } from '../db/sqlite-dialect.js';
import { localBlobStore } from '../storage/local/local-blob-store.js';
import { SnapshotService } from '../snapshots/snapshot-service.js';
import { ArtifactService } from '../artifacts/artifact-service.js';
import { PageTokens } from '../paging/page-tokens.js';
import { ModelService } from './model-service.js';

describe('ModelService with a deployment-usage hook (the endpoints area fills it in)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-models-'));
  let db: Db;
  let close: () => Promise<void>;
  let models: ModelService;
  const ws = { id: 1, name: 'default', role: 'owner' as const };
  const deployed = new Map<string, string[]>();

  beforeAll(async () => {
    ({ db, close } = await openDatabase(`sqlite://${pathToFileURL(join(dir, 'db.sqlite')).pathname}`, { sqlite: sqliteDialect }));
    await db.insertInto('users').values({ name: 'u', is_admin: 1, created_at: 0 }).execute();
    const blobs = await localBlobStore(pathToFileURL(join(dir, 'blobs')));
    const pages = new PageTokens('s');
    const snapshots = new SnapshotService(db, blobs);
    models = new ModelService(db, snapshots, new ArtifactService(db, blobs, pages), pages, async (_ws, name, version) => deployed.get(`${name}:${version}`) ?? []);
    const sha = createHash('sha256').update('w').digest('hex');
    await snapshots.uploadBlob(1, sha, Readable.from([Buffer.from('w')]));
    const snap = await snapshots.create(1, [{ path: 'w.bin', sha256: sha, size: 1 }]);
    for (let i = 0; i < 2; i++) {
      await models.createVersion(ws, 1, 'iris', { source: { kind: 'snapshot', snapshot_id: snap.id, path: '/tmp/w' } }, async () => undefined);
    }
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to delete a version a live deployment uses, naming the deployment', async () => {
    deployed.set('iris:1', ['iris-endpoint/blue']);
    await expect(models.deleteVersion(ws, 'iris', '1')).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringContaining('used by live deployment(s) iris-endpoint/blue'),
    });
    await expect(models.deleteModel(ws, 'iris')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    // the unused version goes
    await models.deleteVersion(ws, 'iris', '2');
    expect((await models.getModel(ws, 'iris')).version_count).toBe(1);
  });
});
