/**
 * Environments end to end: a real server, the real CLI, real agents building real venvs
 * (pip from a local wheel: PyPI is not reachable here) and a real npm install from the
 * npm registry.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment, Run } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, waitFor, type LatheProcess } from './support/lathe-process.js';
import { makeWheel } from './support/make-wheel.js';


const jobName = (stderr: string) => /Submitted job (\S+)/.exec(stderr)?.[1] ?? /RunId: (\S+)/.exec(stderr)![1]!;

describe('environments, through the CLI against a real server', () => {
  let lathe: LatheProcess;
  let work: string;
  const cli = (args: string[], timeoutMs = 120_000) => runCli(lathe.home, args, { cwd: work, timeoutMs });
  const file = (name: string, text: string) => {
    const p = join(work, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const log = async (run: string) => {
    const res = await fetch(`${lathe.url}/api/v1/workspaces/default/runs/${run}/logs`, { headers: { authorization: `Bearer ${lathe.token}` } });
    return res.text();
  };
  const finished = (run: string) =>
    waitFor(`job ${run} to end`, async () => {
      const r = await lathe.client.call('getRun', { params: { run } });
      return ['Completed', 'Failed', 'Canceled'].includes(r.status) ? r : undefined;
    }, 120_000);
  const envCacheEntries = () => readdirSync(join(lathe.dataDir, 'runs/.cache/envs')).filter((n) => /^[0-9a-f]{64}$/.test(n));

  beforeAll(async () => {
    lathe = await startLathe({ slots: 2 });
    work = tempDir('lathe-envs-');
    mkdirSync(join(work, 'wheels'));
    makeWheel(join(work, 'wheels'), 'lathe_tiny', '1.0.0', 'VALUE = 42\n');
    makeWheel(join(work, 'wheels'), 'lathe_twin', '2.0.0', 'VALUE = "twin"\n');
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
    cleanup(work);
  });

  it('creates versions from an Azure ML environment YAML with a conda file; an unchanged file is not a new version', async () => {
    file('tiny/conda.yml', 'name: tiny\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - lathe_tiny==1.0.0\n');
    const yml = file('tiny/env.yml', [
      '$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json',
      'name: tiny',
      'description: a wheel from a local folder',
      'conda_file: conda.yml',
      'pip_find_links: ../wheels',
      'environment_variables:',
      '  GREETING: hello from tiny',
    ].join('\n'));
    const created = await cli(['environment', 'create', '-f', yml, '-o', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const env = JSON.parse(created.stdout) as Environment;
    expect(env).toMatchObject({ name: 'tiny', version: 1, curated: false });
    expect(env.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(env.spec.python).toMatchObject({ version: '3.11', requirements: ['lathe_tiny==1.0.0'], find_links: [join(work, 'wheels')] });

    const again = JSON.parse((await cli(['environment', 'create', '-f', yml, '-o', 'json'])).stdout) as Environment;
    expect(again.version).toBe(1);
    const pinned = await cli(['environment', 'create', '-f', yml, '-v', '1', '--name', 'tiny']);
    expect(pinned.code).toBe(0);

    writeFileSync(yml, 'name: tiny\nconda_file: conda.yml\npip_find_links: ../wheels\n');
    const changed = JSON.parse((await cli(['environment', 'create', '-f', yml, '-o', 'json'])).stdout) as Environment;
    expect(changed.version).toBe(2);
    expect(changed.hash).toBe(env.hash); // same packages: same build
    const clash = await cli(['environment', 'create', '-f', yml, '-v', '1']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('already exists with a different definition');

    const list = await cli(['environment', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+KIND\s+HASH/);
    expect(list.stdout).toMatch(/lathe-sklearn\s+1\s+python \(curated\)/);
    expect(list.stdout).toMatch(/tiny\s+2\s+python/);
    const versions = JSON.parse((await cli(['environment', 'list', '-n', 'tiny', '-o', 'json'])).stdout) as Environment[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    const show = await cli(['environment', 'show', '-n', 'tiny', '-v', '1']);
    expect(show.stdout).toContain('lathe_tiny==1.0.0');
    expect(show.stdout).toContain('GREETING=hello from tiny');
  });

  it('runs a job in a registered environment: built once on the node, then reused; the run records version and hash', async () => {
    file('tiny/job.yml', [
      'command: >-',
      '  python -c "import lathe_tiny, os; print(\'value\', lathe_tiny.VALUE); print(\'venv\', os.environ[\'VIRTUAL_ENV\'])" &&',
      '  echo "$GREETING"',
      'environment: azureml:tiny:1',
    ].join('\n'));
    const first = await cli(['job', 'create', '-f', 'tiny/job.yml', '--stream']);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain('value 42');
    expect(first.stdout).toContain('hello from tiny');
    expect(first.stdout).toMatch(/\[lathe\] environment: tiny:1 \(azureml:tiny:1\), sha256 [0-9a-f]{12}/);
    expect(first.stdout).toContain('Successfully installed lathe_tiny-1.0.0');
    expect(first.stdout).toMatch(/built in [0-9.]+ s/);

    const second = await cli(['job', 'create', '-f', 'tiny/job.yml', '--stream']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('value 42');
    expect(second.stdout).toMatch(/cached on this node \(built .* by run \S+\); ready in [0-9.]+ ms/);
    expect(second.stdout).not.toContain('Successfully installed');

    const name = jobName(second.stderr);
    const run = JSON.parse((await cli(['job', 'show', '-n', name, '-o', 'json'])).stdout) as Run;
    const env = await lathe.client.call('getEnvironment', { params: { name: 'tiny', version: '1' } });
    expect(run.job!.resolved_environment).toMatchObject({ source: 'workspace', name: 'tiny', version: 1, hash: env.hash, reference: 'azureml:tiny:1' });
    const shown = await cli(['job', 'show', '-n', name]);
    expect(shown.stdout).toMatch(new RegExp(`Environment:\\s+tiny:1, sha256 ${env.hash!.slice(0, 12)} \\(azureml:tiny:1\\)`));
  });

  it('two jobs needing the same new environment at the same time build it once', async () => {
    file('twin/job.yml', [
      'command: python -c "import lathe_twin; print(\'twin\', lathe_twin.VALUE)"',
      'environment:',
      '  pip_requirements: [lathe_twin==2.0.0]',
      `  pip_find_links: ${join(work, 'wheels')}`,
    ].join('\n'));
    const [a, b] = await Promise.all([cli(['job', 'create', '-f', 'twin/job.yml']), cli(['job', 'create', '-f', 'twin/job.yml'])]);
    const runs = await Promise.all([a, b].map((r) => finished(/Name:\s+(\S+)/.exec(r.stdout)![1]!)));
    expect(runs.map((r) => r.status)).toEqual(['Completed', 'Completed']);
    const logs = await Promise.all(runs.map((r) => log(r.id)));
    const all = logs.join('\n');
    expect(all.match(/: built in [0-9.]+ s/g)).toHaveLength(1);
    // The second agent started while the first was building: it waited, then reused the build.
    expect(all.match(/waiting for run \S+ \(pid \d+\), which is building it/g)).toHaveLength(1);
    expect(all.match(/built by run \S+; reusing it/g)).toHaveLength(1);
    for (const l of logs) expect(l).toContain('twin twin');
    // Both runs name the same hash, and the node holds it once.
    expect(runs[0]!.job!.resolved_environment!.hash).toBe(runs[1]!.job!.resolved_environment!.hash);
    expect(envCacheEntries().filter((h) => h === runs[0]!.job!.resolved_environment!.hash)).toHaveLength(1);
  });

  it("fails a run whose build fails with pip's own error lines, and never reuses the half-built environment", async () => {
    file('broken/job.yml', [
      'command: echo never',
      'environment:',
      '  conda_file:',
      '    dependencies:',
      '      - python=3.11',
      '      - pip:',
      '        - lathe_no_such_package==1.0',
      `  pip_find_links: [${join(work, 'wheels')}]`,
    ].join('\n'));
    const res = await cli(['job', 'create', '-f', 'broken/job.yml', '--stream']);
    expect(res.code).toBe(3);
    expect(res.stdout).toContain('ERROR: No matching distribution found for lathe_no_such_package==1.0');
    expect(res.stderr).toContain('Status: Failed');
    expect(res.stderr).toMatch(/Reason: Environment build failed \(sha256 [0-9a-f]{12}\): pip install failed with exit code 1:\nERROR: Could not find a version that satisfies the requirement lathe_no_such_package==1.0/);
    expect(res.stdout).not.toContain('never');
    const run = await lathe.client.call('getRun', { params: { run: jobName(res.stderr) } });
    expect(envCacheEntries()).not.toContain(run.job!.resolved_environment!.hash);
    const again = await cli(['job', 'create', '-f', 'broken/job.yml', '--stream']);
    expect(again.code).toBe(3);
    expect(again.stdout).not.toContain('cached on this node');
    expect(again.stdout).toContain('ERROR: No matching distribution found');
  });

  it('canceling a run stops its environment build and leaves nothing behind', async () => {
    // A package index that accepts connections and never answers: pip waits.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      file('hang/job.yml', `command: echo never\nenvironment:\n  pip_requirements: [lathe_hangs==1.0]\n  pip_index_url: http://127.0.0.1:${port}/simple\n`);
      const sub = await cli(['job', 'create', '-f', 'hang/job.yml']);
      const name = /Name:\s+(\S+)/.exec(sub.stdout)![1]!;
      await waitFor('the build to start', async () => (await log(name)).includes('building into'));
      await waitFor('pip to reach the index', async () => sockets.length > 0);
      const cancel = await cli(['job', 'cancel', '-n', name]);
      expect(cancel.code).toBe(0);
      const run = await finished(name);
      expect(run.status).toBe('Canceled');
      expect(await log(name)).not.toContain('never');
      expect(envCacheEntries()).not.toContain(run.job!.resolved_environment!.hash);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('builds an npm environment from the registry for CommonJS and ES module scripts', async () => {
    file('npm/src/main.mjs', "import isNumber from 'is-number';\nconsole.log('esm', isNumber(5), isNumber('x'));\n");
    file('npm/job.yml', [
      'code: src',
      'command: node main.mjs && node -e "console.log(\'cjs\', require(\'is-number\')(\'7\'))" && echo "NODE_PATH=$NODE_PATH"',
      'environment:',
      '  npm:',
      '    is-number: 7.0.0',
    ].join('\n'));
    const res = await cli(['job', 'create', '-f', 'npm/job.yml', '--stream'], 180_000);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/added 1 package/);
    expect(res.stdout).toContain('esm true false');
    expect(res.stdout).toContain('cjs true');
    expect(res.stdout).toMatch(/NODE_PATH=\S+\/npm\/node_modules/);
  });

  it('resolves Azure ML curated names through the alias map; an unknown one lists the known names; users extend the map', async () => {
    file('alias/job.yml', 'command: python -c "import sys; print(\'prefix\', sys.prefix)"\nenvironment: azureml:AzureML-pytorch-2.2@latest\n');
    const unknown = await cli(['job', 'create', '-f', 'alias/job.yml']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("environment 'azureml:AzureML-pytorch-2.2@latest' is not known here");
    expect(unknown.stderr).toContain('Curated: lathe-python, lathe-sklearn, lathe-node');
    expect(unknown.stderr).toContain('AzureML-sklearn-1.5');
    expect(unknown.stderr).toContain('environment-aliases.json');

    writeFileSync(join(lathe.dataDir, 'environment-aliases.json'), JSON.stringify({ 'AzureML-pytorch-2.2': 'lathe-python' }));
    const mapped = await cli(['job', 'create', '-f', 'alias/job.yml', '--stream']);
    expect(mapped.code, mapped.stdout + mapped.stderr).toBe(0);
    expect(mapped.stdout).toMatch(/prefix \S+\/venv/);
    const run = await lathe.client.call('getRun', { params: { run: jobName(mapped.stderr) } });
    expect(run.job!.resolved_environment).toMatchObject({ source: 'curated', name: 'lathe-python', version: 1, alias: 'AzureML-pytorch-2.2' });

    const aliases = JSON.parse((await cli(['environment', 'list', '--aliases', '-o', 'json'])).stdout) as { items: Array<{ alias: string; source: string }> };
    expect(aliases.items).toContainEqual({ alias: 'AzureML-pytorch-2.2', target: 'lathe-python', source: 'user' });
    expect(aliases.items).toContainEqual({ alias: 'sklearn-1.5', target: 'lathe-sklearn', source: 'shipped' });
  });

  it('says clearly what a node cannot build: conda packages without conda, a Python version it lacks, a Docker build', async () => {
    file('conda/job.yml', 'command: echo never\nenvironment:\n  conda_file:\n    dependencies: [python=3.11, numpy=1.26]\n');
    const conda = await cli(['job', 'create', '-f', 'conda/job.yml', '--stream']);
    expect(conda.stderr).toContain('need a conda executable');
    expect(conda.code).toBe(3);
    expect(conda.stderr).toMatch(/Reason: Environment build failed .*conda packages \(numpy=1\.26\), and this node has no conda executable/);

    file('py/job.yml', 'command: echo never\nenvironment:\n  python: "3.99"\n');
    const py = await cli(['job', 'create', '-f', 'py/job.yml', '--stream']);
    expect(py.code).toBe(3);
    expect(py.stderr).toMatch(/Reason: Environment build failed .*no python3\.99 on this node/);

    file('docker/env.yml', 'name: dockerized\nbuild:\n  path: ./docker\n');
    expect((await cli(['environment', 'create', '-f', 'docker/env.yml'])).code).toBe(0);
    file('docker/job.yml', 'command: echo never\nenvironment: azureml:dockerized@latest\n');
    const docker = await cli(['job', 'create', '-f', 'docker/job.yml']);
    expect(docker.code).toBe(1);
    expect(docker.stderr).toContain("compute 'local' has none");

    file('typo/job.yml', 'command: echo hi\nenvironment:\n  image: python\n  conda_fille: conda.yml\n');
    const typo = await cli(['job', 'create', '-f', 'typo/job.yml']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/job\.yml:4:3: environment\.conda_fille: unknown key 'conda_fille' \(did you mean 'conda_file'\?\)/);
  });

  it('environment build materialises an environment now; a second build finds it cached', async () => {
    file('prebuilt/env.yml', 'name: prebuilt\npython: /usr/bin/python3\nsystem_site_packages: true\n');
    expect((await cli(['environment', 'create', '-f', 'prebuilt/env.yml'])).code).toBe(0);
    const build = await cli(['environment', 'build', '-n', 'prebuilt']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/building into \S+\/\.cache\/envs\/[0-9a-f]{64}/);
    expect(build.stdout).toMatch(/environment prebuilt:1 \(sha256 [0-9a-f]{12}\) is ready on this node/);
    const again = await cli(['environment', 'build', '-n', 'prebuilt', '-v', '1']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('cached on this node');

    file('image/env.yml', 'name: image-only\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n');
    expect((await cli(['environment', 'create', '-f', 'image/env.yml'])).code).toBe(0);
    const nothing = await cli(['environment', 'build', '-n', 'image-only']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('nothing to build');
    expect(existsSync(join(lathe.dataDir, 'runs/.cache/envs'))).toBe(true);
  });
});
