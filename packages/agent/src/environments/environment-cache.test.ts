/**
 * The node's environment cache with real venvs, real pip (from a local wheel: PyPI is not
 * reachable here) and real concurrent processes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpec } from '@lathe/contract';
import { EnvironmentCache } from './environment-cache.js';
import { environmentConfigFromEnv } from './environment-config.js';
import { EnvironmentBuildError } from './environment-build-error.js';
import { acquireLock } from './cache-lock.js';
import { makeWheel } from '../../../../test/support/make-wheel.js';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/environments/index.js');


const pySpec = (over: Partial<NonNullable<EnvironmentSpec['python']>>): EnvironmentSpec => ({
  python: { interpreter: '/usr/bin/python3', version: null, system_site_packages: false, requirements: [], index_url: null, find_links: [], conda: null, ...over },
  npm: null,
  environment_variables: {},
  image: null,
  build_context: null,
});

function collect() {
  let text = '';
  return { log: { write: (t: string) => void (text += t), note: (l: string) => void (text += `[lathe] ${l}\n`) }, text: () => text };
}

describe('environment cache', () => {
  let root: string;
  let wheels: string;
  const cacheFor = (name: string, extra: Record<string, string> = {}) =>
    new EnvironmentCache(environmentConfigFromEnv({ ...process.env, LATHE_ENV_CACHE_DIR: join(root, name), ...extra }, join(root, 'work')));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lathe-envcache-'));
    wheels = join(root, 'wheels');
    mkdirSync(wheels);
    makeWheel(wheels, 'lathe_tiny', '1.0.0', 'VALUE = 42\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds a venv with pip from find-links once, then serves it from the cache', async () => {
    const cache = cacheFor('a');
    const spec = pySpec({ requirements: ['lathe_tiny==1.0.0'], find_links: [wheels] });
    const first = collect();
    const built = (await cache.materialize(spec, { runId: 'run-1', log: first.log }))!;
    expect(built.built).toBe(true);
    expect(first.text()).toContain('Successfully installed lathe_tiny-1.0.0');
    const out = spawnSync(join(built.dir, 'venv/bin/python'), ['-c', 'import lathe_tiny; print(lathe_tiny.VALUE)']);
    expect(out.stdout.toString().trim()).toBe('42');

    const second = collect();
    const again = (await cache.materialize(spec, { runId: 'run-2', log: second.log }))!;
    expect(again.built).toBe(false);
    expect(again.dir).toBe(built.dir);
    expect(second.text()).toMatch(/cached on this node .* ready in [0-9.]+ ms/);
    expect(again.readyMs).toBeLessThan(50);
    await built.release();
    await again.release();
  });

  it('fails with pip\'s own error lines and leaves nothing behind', async () => {
    const cache = cacheFor('b');
    const spec = pySpec({ requirements: ['no_such_package_lathe==9.9'], find_links: [wheels] });
    const run = collect();
    const err = await cache.materialize(spec, { runId: 'run-x', log: run.log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentBuildError);
    expect((err as Error).message).toContain('pip install failed with exit code 1');
    expect((err as Error).message).toContain('ERROR: Could not find a version that satisfies the requirement no_such_package_lathe==9.9');
    expect(run.text()).toContain('ERROR: No matching distribution found');
    expect(readdirSync(join(root, 'b')).filter((n) => /^[0-9a-f]{64}$/.test(n))).toEqual([]);
  });

  it('never reuses a half-built environment, and takes over the lock of a dead builder', async () => {
    const cache = cacheFor('c');
    const spec = pySpec({});
    const hash = cache.hashOf(spec)!;
    // A build that crashed: the folder without its marker, and a lock whose holder is gone.
    mkdirSync(join(root, 'c', hash, 'venv'), { recursive: true });
    writeFileSync(join(root, 'c', hash, 'venv', 'half'), '');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(root, 'c', `${hash}.lock`), JSON.stringify({ token: 'dead', pid: Number(dead), host: (await import('node:os')).hostname(), run: 'crashed', since: Date.now() }));
    const run = collect();
    const m = (await cache.materialize(spec, { runId: 'run-c', log: run.log }))!;
    expect(m.built).toBe(true);
    expect(run.text()).toContain('removing an incomplete build');
    expect(existsSync(join(m.dir, 'venv', 'half'))).toBe(false);
    expect(existsSync(join(m.dir, 'venv', 'bin', 'python'))).toBe(true);
    await m.release();
  });

  it('rebuilds an entry that is no longer usable (its interpreter link is gone)', async () => {
    const cache = cacheFor('f');
    const spec = pySpec({ system_site_packages: true });
    const first = (await cache.materialize(spec, { runId: 'f1', log: collect().log }))!;
    await first.release();
    rmSync(join(first.dir, 'venv/bin/python'));
    const again = (await cache.materialize(spec, { runId: 'f2', log: collect().log }))!;
    expect(again.built).toBe(true);
    expect(existsSync(join(again.dir, 'venv/bin/python'))).toBe(true);
    await again.release();
  });

  it('two processes needing the same environment build it once', async () => {
    const cacheDir = join(root, 'd');
    const spec = pySpec({ requirements: ['lathe_tiny==1.0.0'], find_links: [wheels] });
    const script = `
      const { EnvironmentCache, environmentConfigFromEnv } = await import(${JSON.stringify(DIST)});
      const cache = new EnvironmentCache(environmentConfigFromEnv({ ...process.env, LATHE_ENV_CACHE_DIR: ${JSON.stringify(cacheDir)} }, '/tmp'));
      const log = { write: (t) => process.stdout.write(t), note: (l) => process.stdout.write('[lathe] ' + l + '\\n') };
      const m = await cache.materialize(${JSON.stringify(spec)}, { runId: process.argv[1], log });
      process.stdout.write('BUILT=' + m.built + '\\n');`;
    const start = (run: string) => new Promise<string>((res, rej) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, run], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(out))));
    });
    const [a, b] = await Promise.all([start('proc-a'), start('proc-b')]);
    const both = a + b;
    expect(both.match(/: built in [0-9.]+ s/g)).toHaveLength(1);
    expect(both.match(/built by run proc-[ab]; reusing it/g)).toHaveLength(1);
    expect(both.match(/BUILT=true/g)).toHaveLength(1);
    expect(both.match(/BUILT=false/g)).toHaveLength(1);
    const waiter = a.includes('BUILT=false') ? a : b;
    expect(waiter).toMatch(/waiting for run proc-[ab]/);
    // The waiter's log carries the builder's build log too.
    expect(waiter).toContain('Successfully installed lathe_tiny-1.0.0');
  });

  it('evicts by age and by size, least recently used first, never an entry in use', async () => {
    const cache = cacheFor('e', { LATHE_ENV_CACHE_MAX_AGE_DAYS: '1' });
    // Three different specs (no pip: quick): three entries.
    const make = async (n: number) =>
      (await cache.materialize(pySpec({ interpreter: n === 3 ? '/usr/bin/python3.11' : '/usr/bin/python3', system_site_packages: n === 2 }), { runId: `r${n}`, log: collect().log }))!;
    const [old, inUse, fresh] = [await make(1), await make(2), await make(3)];
    await old.release();
    await fresh.release();
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    for (const m of [old, inUse]) utimesSync(join(m.dir, '.last-used'), longAgo, longAgo);
    const byAge = await cache.evict();
    expect(byAge.evicted).toEqual([old.hash]);
    expect(existsSync(old.dir)).toBe(false);
    expect(existsSync(inUse.dir)).toBe(true); // old too, but a run is using it

    await inUse.release();
    const tiny = cacheFor('e', { LATHE_ENV_CACHE_MAX_GB: String(1 / 1024 ** 3) }); // 1 byte
    const bySize = await tiny.evict();
    expect(bySize.evicted.sort()).toEqual([inUse.hash, fresh.hash].sort());
  });

  it('a lock is exclusive and released', async () => {
    const path = join(root, 'lock-test');
    const a = await acquireLock(path, { pid: process.pid, run: 'a' });
    expect(await acquireLock(path, { pid: process.pid, run: 'b' }, { timeoutMs: 0 })).toBeNull();
    await a!.release();
    const b = await acquireLock(path, { pid: process.pid, run: 'b' }, { timeoutMs: 0 });
    expect(b).not.toBeNull();
    await b!.release();
  });
});
