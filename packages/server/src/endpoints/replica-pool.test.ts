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
const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('replica pools with real worker processes', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('autoscales between min and max on measured concurrency', async () => {
    const d = new LiveDeployment('ep', 'auto', () => undefined);
    await d.rollTo(1, options(), { samplingRate: 0, autoscale: { min: 1, max: 3, intervalMs: 300, targetConcurrency: 1 }, environment: null });
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
    await d.rollTo(1, options(), { samplingRate: 0, autoscale: null, environment: null });
    const serving = d.pool;
    await expect(d.rollTo(2, options({ env: { FAIL_INIT: '1' } }), { samplingRate: 0, autoscale: null, environment: null })).rejects.toThrow('init() failed: no model here');
    expect(d.pool).toBe(serving);
    expect(d.generation).toBe(1);
    expect((await d.pool!.score(body(1))).kind).toBe('reply');
    expect(readFileSync(join(dir, 'worker.log'), 'utf8')).toContain('no model here');
    await d.stop();
  }, 20_000);

  it('releases each generation\'s environment once its workers have stopped: replaced, failed, superseded, stopped', async () => {
    const d = new LiveDeployment('ep', 'envs', () => undefined);
    // Holds standing in for the environment cache's (the server test observes the real cache):
    // each notes, at release, whether a worker of its generation still ran.
    const released: Array<{ generation: number; workersAlive: number }> = [];
    const pidsOf = new Map<number, number[]>();
    const hold = (generation: number) => ({
      release: async () => {
        released.push({ generation, workersAlive: (pidsOf.get(generation) ?? []).filter(running).length });
      },
    });
    const roll = async (generation: number, o: Parameters<typeof options>[0] = {}) => {
      await d.rollTo(generation, options(o), { samplingRate: 0, autoscale: null, environment: hold(generation) });
      pidsOf.set(generation, d.pool!.replicas.map((r) => r.worker!.pid!));
    };
    await roll(1, { instances: 2 });
    expect(released).toEqual([]);
    await roll(2);
    expect(released).toEqual([{ generation: 1, workersAlive: 0 }]);
    await expect(roll(3, { env: { FAIL_INIT: '1' } })).rejects.toThrow('init() failed');
    expect(released).toEqual([{ generation: 1, workersAlive: 0 }, { generation: 3, workersAlive: 0 }]);
    // Two updates at once: the newer wins, the superseded one gives its environment back.
    const [four, five] = await Promise.allSettled([roll(4), roll(5)]);
    expect(four.status).toBe('rejected');
    expect(five.status).toBe('fulfilled');
    expect(released.map((r) => r.generation).sort()).toEqual([1, 2, 3, 4]);
    await d.stop();
    expect(released.map((r) => r.generation).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(released.every((r) => r.workersAlive === 0)).toBe(true);
    // A rollout that reaches a stopped deployment (deleted meanwhile) gives its environment back too.
    await expect(roll(6)).rejects.toThrow(/stopped/);
    expect(released.map((r) => r.generation)).toContain(6);
  }, 30_000);

  it('least busy: concurrent requests spread over replicas; beyond the limit, throttled at once', async () => {
    const d = new LiveDeployment('ep', 'spread', () => undefined);
    await d.rollTo(1, options({ instances: 2, maxConcurrentPerInstance: 1 }), { samplingRate: 0, autoscale: null, environment: null });
    const t0 = Date.now();
    const [a, b, c] = await Promise.all([d.pool!.score(body(300)), d.pool!.score(body(300)), d.pool!.score(body(300))]);
    expect(c!.kind).toBe('throttled');
    const pids = [a, b].map((r) => (r!.kind === 'reply' ? (JSON.parse(r!.reply.body.toString()) as { pid: number }).pid : 0));
    expect(new Set(pids).size).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1500);
    await d.stop();
  }, 20_000);
});
