import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentCache, environmentConfigFromEnv } from '@lathe/agent';
import { cleanup, runCli, startLathe, type LatheProcess } from './support/lathe-process.js';

const YEAR_MS = 365 * 86_400_000;

describe('environments of online deployments are released when their generation ends', () => {
  let lathe: LatheProcess;
  let cache: EnvironmentCache;
  let dir: string;
  const cli = (args: string[]) => runCli(lathe.home, args);
  /** The deployment YAML with an inline environment; `sitePackages` changes the environment's hash. */
  const deploy = async (verb: 'create' | 'update', o: { sitePackages: boolean; label: string }) => {
    writeFileSync(join(dir, 'dep.yml'), [
      'name: envdep', 'endpoint_name: envs', 'code_configuration:', '  code: code', '  scoring_script: score.py', 'instance_count: 1',
      'environment_variables:', `  LABEL: ${o.label}`,
      'environment:', '  python: /usr/bin/python3', `  system_site_packages: ${o.sitePackages}`, '',
    ].join('\n'));
    const res = await cli(['online-deployment', verb, '-f', join(dir, 'dep.yml'), ...(verb === 'create' ? ['--all-traffic'] : [])]);
    expect(res.code, res.stderr).toBe(0);
  };
  const score = async () => {
    const r = await fetch(`${lathe.url}/endpoints/envs/score`, { method: 'POST', headers: { authorization: `Bearer ${lathe.token}` }, body: '{}' });
    return { status: r.status, body: (await r.json()) as { label: string; prefix: string } };
  };
  /** Live holds on each cache entry, as the cache counts them for eviction. */
  const users = async () => Object.fromEntries((await cache.entries()).map((e) => [e.hash, e.users]));
  /** Hold files in an entry, live or not: a released hold leaves none. */
  const holdFiles = (hash: string) => readdirSync(join(cache.config.cacheDir, hash, '.users'));

  beforeAll(async () => {
    lathe = await startLathe();
    dir = join(lathe.home, 'work');
    mkdirSync(join(dir, 'code'), { recursive: true });
    writeFileSync(join(dir, 'code/score.py'), 'import os, sys\n\ndef init():\n    pass\n\ndef run(raw_data):\n    return {"label": os.environ.get("LABEL"), "prefix": sys.prefix}\n');
    writeFileSync(join(dir, 'endpoint.yml'), 'name: envs\nauth_mode: key\n');
    expect((await cli(['online-endpoint', 'create', '-f', join(dir, 'endpoint.yml')])).code).toBe(0);
    // The server's preparer uses the agent's cache under <data>/runs; this instance reads the same folder.
    cache = new EnvironmentCache(environmentConfigFromEnv({}, join(lathe.dataDir, 'runs')));
  }, 30_000);
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  let first: string;
  let second: string;

  it('an update onto the same environment keeps it held; one onto another releases the old, which eviction then reclaims', async () => {
    await deploy('create', { sitePackages: true, label: 'g1' });
    first = Object.keys(await users())[0]!;
    expect(await users()).toEqual({ [first]: 1 });

    // Generation 2, same environment: generation 1's release must not drop generation 2's hold.
    await deploy('update', { sitePackages: true, label: 'g2' });
    expect(await score()).toMatchObject({ status: 200, body: { label: 'g2' } });
    expect(await users()).toEqual({ [first]: 1 });

    await deploy('update', { sitePackages: false, label: 'g3' });
    const res = await score();
    expect(res).toMatchObject({ status: 200, body: { label: 'g3' } });
    second = Object.keys(await users()).find((h) => h !== first)!;
    expect(res.body.prefix).toContain(second);
    expect(await users()).toEqual({ [first]: 0, [second]: 1 });
    expect(holdFiles(first)).toEqual([]);

    // Long unused: the released entry goes, the one in use stays.
    const { evicted } = await cache.evict({ now: Date.now() + YEAR_MS });
    expect(evicted).toEqual([first]);
    expect((await score()).status).toBe(200);
  }, 180_000);

  it('deleting the deployment releases its environment', async () => {
    expect((await cli(['online-endpoint', 'update', '-n', 'envs', '--traffic', 'envdep=0'])).code).toBe(0);
    expect((await cli(['online-deployment', 'delete', '-e', 'envs', '-n', 'envdep'])).code).toBe(0);
    expect(await users()).toEqual({ [second]: 0 });
    expect(holdFiles(second)).toEqual([]);
  }, 60_000);

  it('stopping the server releases what its deployments hold', async () => {
    await deploy('create', { sitePackages: false, label: 'again' });
    expect(await users()).toEqual({ [second]: 1 });
    expect(holdFiles(second)).toHaveLength(1);
    await lathe.stop();
    expect(holdFiles(second)).toEqual([]);
    lathe = await startLathe({ home: lathe.home });
  }, 90_000);
});
