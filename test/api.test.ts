import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatheClient } from '@lathe/client';
import { LatheError } from '@lathe/contract';
import { cleanup, startLathe, type LatheProcess } from './support/lathe-process.js';

async function errorOf(p: Promise<unknown>): Promise<LatheError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LatheError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('the REST API', () => {
  let lathe: LatheProcess;
  let api: LatheClient;
  beforeAll(async () => {
    lathe = await startLathe();
    api = lathe.client;
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  describe('authentication', () => {
    it('answers /health without a token and everything else only with one', async () => {
      const health = await fetch(`${lathe.url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const anon = await fetch(`${lathe.url}/api/v1/workspaces/default/runs`);
      expect(anon.status).toBe(401);
      expect(await anon.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      const wrong = await errorOf(new LatheClient({ url: lathe.url, token: 'lathe_nope' }).call('listRuns', {}));
      expect(wrong.code).toBe('UNAUTHENTICATED');
    });

    it('keeps users out of workspaces they are not members of, and readers from writing', async () => {
      const { token } = await api.call('createUser', { body: { name: 'alice' } });
      const alice = new LatheClient({ url: lathe.url, token, workspace: 'alice-ws' });
      await alice.call('createWorkspace', { body: { name: 'alice-ws' } });
      await alice.call('createExperiment', { body: { name: 'secret' } });
      const other = await errorOf(alice.inWorkspace('default').call('listRuns', {}));
      expect(other.code).toBe('PERMISSION_DENIED');
      const { token: bobToken } = await api.call('createUser', { body: { name: 'bob' } });
      await alice.call('addMember', { body: { user: 'bob', role: 'reader' } });
      const bob = new LatheClient({ url: lathe.url, token: bobToken, workspace: 'alice-ws' });
      expect((await bob.call('listExperiments', {})).items.map((e) => e.name)).toEqual(['secret']);
      expect((await errorOf(bob.call('createExperiment', { body: { name: 'x' } }))).code).toBe('PERMISSION_DENIED');
      expect((await errorOf(bob.call('createUser', { body: { name: 'mallory' } }))).code).toBe('PERMISSION_DENIED');
    });

    it('a run-scoped token acts on its own run and children only', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'scoped' } });
      const other = await api.call('createRun', { body: { experiment_name: 'scoped' } });
      const { token } = await api.call('createRunToken', { params: { run: run.id } });
      const scoped = new LatheClient({ url: lathe.url, token });
      await scoped.call('logBatch', { params: { run: run.id }, body: { metrics: [{ key: 'm', value: 1 }] } });
      const child = await scoped.call('createRun', { body: { parent_run_id: run.id, display_name: 'trial' } });
      await scoped.call('logBatch', { params: { run: child.id }, body: { metrics: [{ key: 'm', value: 2 }] } });
      expect((await errorOf(scoped.call('logBatch', { params: { run: other.id }, body: { metrics: [{ key: 'm', value: 3 }] } }))).code).toBe('PERMISSION_DENIED');
      expect((await errorOf(scoped.call('listRuns', {}))).code).toBe('PERMISSION_DENIED');
      expect((await errorOf(scoped.call('createRun', { body: { experiment_name: 'x' } }))).code).toBe('PERMISSION_DENIED');
    });
  });

  it('serves an OpenAPI 3.1 document generated from the contract', async () => {
    const doc = (await api.call('openapi', {})) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/workspaces/{ws}/runs/{run}/log-batch']!.post!.operationId).toBe('logBatch');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });

  describe('metrics', () => {
    it('stores batches once per idempotency key, keeps params immutable and tags last-write-wins', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'metrics' } });
      const batch = { metrics: [{ key: 'loss', value: 0.5, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: 'a' }], idempotency_key: 'k1' };
      expect(await api.call('logBatch', { params: { run: run.id }, body: batch })).toEqual({ stored_metrics: 1, duplicate: false });
      expect(await api.call('logBatch', { params: { run: run.id }, body: batch })).toEqual({ stored_metrics: 0, duplicate: true });
      const history = await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss' } });
      expect(history.points).toHaveLength(1);

      const conflict = await errorOf(api.call('logBatch', { params: { run: run.id }, body: { metrics: [{ key: 'loss', value: 9, step: 2 }], params: [{ key: 'lr', value: '0.2' }] } }));
      expect(conflict.code).toBe('INVALID_ARGUMENT');
      expect(conflict.message).toContain("param 'lr' was already logged with value '0.1'");
      // nothing of the rejected batch was written
      expect((await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss' } })).points).toHaveLength(1);

      await api.call('logBatch', { params: { run: run.id }, body: { tags: [{ key: 't', value: 'b' }] } });
      const got = await api.call('getRun', { params: { run: run.id } });
      expect(got.params).toEqual({ lr: '0.1' });
      expect(got.tags.t).toBe('b');
    });

    it('stores non-finite values as MLflow does', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'metrics' } });
      await api.call('logBatch', { params: { run: run.id }, body: { metrics: [
        { key: 'x', value: 'NaN', step: 0 }, { key: 'x', value: 'Infinity', step: 1 }, { key: 'x', value: '-Infinity', step: 2 },
      ] } });
      const h = await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'x' } });
      expect(h.points.map((p) => p.value)).toEqual(['NaN', 1.7976931348623157e308, -1.7976931348623157e308]);
      const bad = await errorOf(api.call('logBatch', { params: { run: run.id }, body: { metrics: [{ key: '../evil', value: 1 }] } }));
      expect(bad.code).toBe('INVALID_ARGUMENT');
    });

    it('downsamples a long series into buckets keeping min, max and last', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'metrics' } });
      for (let b = 0; b < 10; b++) {
        const metrics = Array.from({ length: 1000 }, (_, i) => {
          const step = b * 1000 + i;
          return { key: 'loss', value: step % 100 === 50 ? -1 : 1 / (1 + step), step, timestamp: 1_700_000_000_000 + step };
        });
        await api.call('logBatch', { params: { run: run.id }, body: { metrics } });
      }
      const s = await api.call('getMetricSeries', { params: { run: run.id }, query: { key: 'loss', buckets: 100 } });
      expect(s.total_points).toBe(10_000);
      expect(s.buckets).toHaveLength(100);
      const first = s.buckets[0]!;
      expect(first).toMatchObject({ step_start: 0, step_end: 99, count: 100, min: -1, max: 1, last_step: 99 });
      expect(first.last).toBeCloseTo(1 / 100);
      const zoom = await api.call('getMetricSeries', { params: { run: run.id }, query: { key: 'loss', buckets: 10, min_step: 200, max_step: 299 } });
      expect(zoom.buckets.map((b) => b.count)).toEqual(Array(10).fill(10));
      const page1 = await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss', max_results: 4000 } });
      expect(page1.points).toHaveLength(4000);
      const page3 = await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss', max_results: 4000, page_token: (await api.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss', max_results: 4000, page_token: page1.next_page_token! } })).next_page_token! } });
      expect(page3.points).toHaveLength(2000);
      expect(page3.points.at(-1)!.step).toBe(9999);
      expect(page3.next_page_token).toBeNull();
    });
  });

  describe('runs', () => {
    it('lists with filters, order and tamper-checked page tokens', async () => {
      for (let i = 0; i < 7; i++) {
        const r = await api.call('createRun', { body: { experiment_name: 'listing', tags: { parity: i % 2 ? 'odd' : 'even' } } });
        await api.call('logBatch', { params: { run: r.id }, body: { metrics: [{ key: 'acc', value: i / 10 }] } });
        if (i < 3) await api.call('setRunStatus', { params: { run: r.id }, body: { status: 'Completed' } });
      }
      const byAcc = await api.call('listRuns', { query: { experiment: 'listing', order_by: 'metrics.acc DESC' } });
      expect(byAcc.items.map((r) => r.metrics.acc!.value)).toEqual([0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0]);
      const completed = await api.call('listRuns', { query: { experiment: 'listing', status: 'Completed' } });
      expect(completed.items).toHaveLength(3);
      const odd = await api.call('listRuns', { query: { experiment: 'listing', tag: 'parity=odd' } });
      expect(odd.items).toHaveLength(3);
      const p1 = await api.call('listRuns', { query: { experiment: 'listing', max_results: 4, order_by: 'metrics.acc ASC' } });
      const p2 = await api.call('listRuns', { query: { experiment: 'listing', max_results: 4, order_by: 'metrics.acc ASC', page_token: p1.next_page_token! } });
      expect([...p1.items, ...p2.items].map((r) => r.metrics.acc!.value)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
      const tampered = p1.next_page_token!.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
      expect((await errorOf(api.call('listRuns', { query: { experiment: 'listing', max_results: 4, order_by: 'metrics.acc ASC', page_token: tampered } }))).code).toBe('INVALID_ARGUMENT');
      // a token from one list is not accepted by another
      expect((await errorOf(api.call('listRuns', { query: { experiment: 'listing', max_results: 4, page_token: p1.next_page_token! } }))).code).toBe('INVALID_ARGUMENT');
      expect((await errorOf(api.call('listRuns', { query: { order_by: 'nonsense DESC' } }))).code).toBe('INVALID_ARGUMENT');
    });

    it('lists child runs of a parent and refuses status changes after the end', async () => {
      const parent = await api.call('createRun', { body: { experiment_name: 'tree' } });
      const child = await api.call('createRun', { body: { parent_run_id: parent.id } });
      const kids = await api.call('listRuns', { query: { parent_run_id: parent.id } });
      expect(kids.items.map((r) => r.id)).toEqual([child.id]);
      expect(kids.items[0]!.experiment_name).toBe('tree');
      await api.call('setRunStatus', { params: { run: child.id }, body: { status: 'Completed' } });
      const late = await errorOf(api.call('setRunStatus', { params: { run: child.id }, body: { status: 'Running' } }));
      expect(late.code).toBe('FAILED_PRECONDITION');
      expect((await errorOf(api.call('getRun', { params: { run: 'no_such_run' } }))).message).toBe("job 'no_such_run' not found");
    });
  });

  describe('artifacts and snapshots', () => {
    it('streams uploads and downloads, lists by prefix, and refuses paths that escape', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'files' } });
      const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
      const up = await api.upload('uploadArtifact', { params: { run: run.id }, query: { path: 'outputs/big.bin' } }, big, big.length);
      expect(up.size).toBe(big.length);
      await api.upload('uploadArtifact', { params: { run: run.id }, query: { path: 'logs/a.txt' } }, 'hello');
      const res = await api.download('downloadArtifact', { params: { run: run.id }, query: { path: 'outputs/big.bin' } });
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(big))).toBe(true);
      const listed = await api.call('listArtifacts', { params: { run: run.id }, query: { prefix: 'outputs/' } });
      expect(listed.items.map((a) => a.path)).toEqual(['outputs/big.bin']);
      for (const path of ['../escape.txt', '/etc/passwd', 'a/../../b', 'a\\b', 'a//b']) {
        const e = await errorOf(api.upload('uploadArtifact', { params: { run: run.id }, query: { path } }, 'x'));
        expect(e.code).toBe('INVALID_ARGUMENT');
      }
      const all = await api.call('listArtifacts', { params: { run: run.id } });
      expect(all.items).toHaveLength(2);
    });

    it('stores snapshot blobs by content, checks hashes and refuses entries that escape', async () => {
      const { createHash } = await import('node:crypto');
      const text = 'print("hi")\n';
      const sha = createHash('sha256').update(text).digest('hex');
      expect((await api.call('findMissingBlobs', { body: { hashes: [sha] } })).missing).toEqual([sha]);
      const wrong = await errorOf(api.upload('uploadBlob', { params: { sha256: sha } }, 'something else'));
      expect(wrong.code).toBe('INVALID_ARGUMENT');
      expect((await errorOf(api.call('createSnapshot', { body: { files: [{ path: 'a.py', sha256: sha, size: text.length }] } }))).code).toBe('FAILED_PRECONDITION');
      await api.upload('uploadBlob', { params: { sha256: sha } }, text);
      expect((await api.call('findMissingBlobs', { body: { hashes: [sha] } })).missing).toEqual([]);
      const snap = await api.call('createSnapshot', { body: { files: [{ path: 'src/a.py', sha256: sha, size: text.length }] } });
      expect(snap.file_count).toBe(1);
      const again = await api.call('createSnapshot', { body: { files: [{ path: 'src/a.py', sha256: sha, size: text.length }] } });
      expect(again.id).toBe(snap.id);
      for (const path of ['../../etc/cron.d/x', '/abs.py']) {
        expect((await errorOf(api.call('createSnapshot', { body: { files: [{ path, sha256: sha, size: text.length }] } }))).code).toBe('INVALID_ARGUMENT');
      }
      // another workspace does not see this workspace's blobs
      await api.call('createWorkspace', { body: { name: 'other' } });
      expect((await api.inWorkspace('other').call('findMissingBlobs', { body: { hashes: [sha] } })).missing).toEqual([sha]);
    });
  });

  describe('logs', () => {
    it('appends idempotently by offset and tails live over server-sent events', async () => {
      const run = await api.call('createRun', { body: { experiment_name: 'logs' } });
      await api.call('appendLog', { params: { run: run.id }, body: { offset: 0, data: 'line one\n' } });
      await api.call('appendLog', { params: { run: run.id }, body: { offset: 0, data: 'line one\n' } });
      const gap = await errorOf(api.call('appendLog', { params: { run: run.id }, body: { offset: 100, data: 'x' } }));
      expect(gap.code).toBe('FAILED_PRECONDITION');
      const seen: string[] = [];
      const tail = (async () => {
        for await (const ev of api.events('streamLog', { params: { run: run.id }, query: { offset: 0 } })) {
          if (ev.event === 'log') seen.push((JSON.parse(ev.data) as { data: string }).data);
          if (ev.event === 'end') return JSON.parse(ev.data) as { status: string };
        }
        return undefined;
      })();
      await new Promise((r) => setTimeout(r, 300));
      await api.call('appendLog', { params: { run: run.id }, body: { offset: 9, data: 'line two\n' } });
      await new Promise((r) => setTimeout(r, 300));
      await api.call('setRunStatus', { params: { run: run.id }, body: { status: 'Completed' } });
      expect(await tail).toEqual({ status: 'Completed' });
      expect(seen.join('')).toBe('line one\nline two\n');
      const text = await (await api.download('readLog', { params: { run: run.id }, query: { offset: 5 } })).text();
      expect(text).toBe('one\nline two\n');
    });
  });
});
