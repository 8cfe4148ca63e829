import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveDeployment } from './live-deployment.js';
import type { PoolOptions } from './replica-pool.js';

// Real worker processes through the JavaScript scoring host as built (npm test builds first).
const HOST = fileURLToPath(new URL('../../dist/endpoints/node-scoring-host.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lathe-pool-'));
const script = join(dir, 'score.mjs');
writeFileSync(script, `
export function init() { if (process.env.FAIL_INIT) throw new Error('no model here'); }
export async function run(raw) { const { sleep } = JSON.parse(raw); await new Promise((r) => setTimeout(r, sleep)); return { pid: process.pid }; }
`);

function options(o: Partial<PoolOptions> & { env?: Record<string, string> } = {}): PoolOptions {
  return {
    command: () => ({ command: process.execPath, args: [HOST, script], env: { PATH: process.env.PATH ?? '', ...o.env }, cwd: dir, logFile: join(dir, 'worker.log') }),
    instances: 1, maxConcurrentPerInstance: 2, requestTimeoutMs: 5000, startTimeoutMs: 10_000, log: () => undefined, ...o,
  };
}
const body = (sleep: number) => Buffer.from(JSON.stringify({ sleep }));

describe('replica pools with real worker processes', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('autoscales between min and max on measured concurrency', async () => {
    const d = new LiveDeployment('ep', 'auto', () => undefined);
    await d.rollTo(1, options(), { samplingRate: 0, autoscale: { min: 1, max: 3, intervalMs: 300, targetConcurrency: 1 } });
    expect(d.pool!.replicas).toHaveLength(1);
    let running = true;
    const statuses: string[] = [];
    const clients = Array.from({ length: 3 }, async () => {
      while (running) {
        const kind = (await d.pool!.score(body(50))).kind;
        statuses.push(kind);
        // A 429 resolves at once; back off as an HTTP client would, or this loop starves the timers.
        if (kind === 'throttled') await new Promise((r) => setTimeout(r, 10));
      }
    });
    const deadline = Date.now() + 5000;
    while (d.pool!.readyCount < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(d.pool!.readyCount).toBe(3);
    running = false;
    await Promise.all(clients);
    expect(statuses.filter((s) => s !== 'reply' && s !== 'throttled')).toEqual([]);
    const idleBy = Date.now() + 5000;
    while (d.pool!.replicas.length > 1 && Date.now() < idleBy) await new Promise((r) => setTimeout(r, 50));
    expect(d.pool!.replicas).toHaveLength(1);
    await d.stop();
  }, 20_000);

  it('a failing init() fails the rollout and leaves the serving generation in place', async () => {
    const d = new LiveDeployment('ep', 'fail', () => undefined);
    await d.rollTo(1, options(), { samplingRate: 0, autoscale: null });
    const serving = d.pool;
    await expect(d.rollTo(2, options({ env: { FAIL_INIT: '1' } }), { samplingRate: 0, autoscale: null })).rejects.toThrow('init() failed: no model here');
    expect(d.pool).toBe(serving);
    expect(d.generation).toBe(1);
    expect((await d.pool!.score(body(1))).kind).toBe('reply');
    expect(readFileSync(join(dir, 'worker.log'), 'utf8')).toContain('no model here');
    await d.stop();
  }, 20_000);

  it('least busy: concurrent requests spread over replicas; beyond the limit, throttled at once', async () => {
    const d = new LiveDeployment('ep', 'spread', () => undefined);
    await d.rollTo(1, options({ instances: 2, maxConcurrentPerInstance: 1 }), { samplingRate: 0, autoscale: null });
    const t0 = Date.now();
    const [a, b, c] = await Promise.all([d.pool!.score(body(300)), d.pool!.score(body(300)), d.pool!.score(body(300))]);
    expect(c!.kind).toBe('throttled');
    const pids = [a, b].map((r) => (r!.kind === 'reply' ? (JSON.parse(r!.reply.body.toString()) as { pid: number }).pid : 0));
    expect(new Set(pids).size).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1500);
    await d.stop();
  }, 20_000);
});
