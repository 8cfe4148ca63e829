import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatheError, type SecretInfo } from '@lathe/contract';
import { LatheClient } from '@lathe/client';
import { cleanup, runCli, startLathe, tempDir, type LatheProcess } from './support/lathe-process.js';
import { runCliWithStdin } from './support/cli-stdin.js';

const VALUE = 'tok-3f9a1c7e-Very-Secret-Value';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Every byte the server keeps on disk under its data dir (database, WAL, blobs, logs). */
function diskContains(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

describe('the secrets vault', () => {
  let lathe: LatheProcess;
  let work: string;
  const cli = (args: string[]) => runCli(lathe.home, args);
  beforeAll(async () => {
    lathe = await startLathe();
    work = tempDir('lathe-secret-job-');
    writeFileSync(join(work, 'job.yml'), [
      'command: >-',
      '  echo "the token is $TOKEN"; printf %s "$TOKEN" | sha256sum; echo "note ${{inputs.n}}"',
      'inputs: {n: 1}',
      'environment_variables:',
      '  TOKEN: ${{secrets.API_TOKEN}}',
      '  PLAIN: visible',
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
    cleanup(work);
  });

  it('stores values from stdin or a file, never from argv; lists names, versions and times only', async () => {
    const set = await runCliWithStdin(lathe.home, ['secret', 'set', 'API_TOKEN'], `${VALUE}\n`);
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('Secret API_TOKEN stored (version 1)');
    const file = join(work, 'value.txt');
    writeFileSync(file, 'other-value-123');
    expect((await cli(['secret', 'set', 'OTHER', '--file', file])).code).toBe(0);
    expect((await cli(['secret', 'set', 'OTHER', '--file', file])).stdout).toContain('version 2');
    // No value on the command line: commander refuses the extra argument.
    expect((await cli(['secret', 'set', 'X', 'inline-value'])).code).toBe(2);
    const list = JSON.parse((await cli(['secret', 'list', '-o', 'json'])).stdout) as SecretInfo[];
    expect(list.map((s) => [s.name, s.version])).toEqual([['API_TOKEN', 1], ['OTHER', 2]]);
    expect(Object.keys(list[0]!).sort()).toEqual(['created_at', 'name', 'updated_at', 'user', 'version']);
    expect((await cli(['secret', 'list'])).stdout).not.toContain(VALUE);
  });

  it('keeps the master key outside the database in a 0600 file, and no plaintext on disk', async () => {
    expect(statSync(join(lathe.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(diskContains(lathe.dataDir, VALUE)).toEqual([]);
  });

  it('injects ${{secrets.NAME}} into the job and redacts the value from every stored log line', async () => {
    const res = await cli(['job', 'create', '-f', join(work, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    // The script saw the real value (its hash), the log shows *** in its place.
    expect(res.stdout).toContain(sha(VALUE));
    expect(res.stdout).toContain('the token is ***');
    expect(res.stdout).not.toContain(VALUE);
    const log = await (await lathe.client.download('downloadArtifact', { params: { run: name }, query: { path: 'user_logs/std_log.txt' } })).text();
    expect(log).toContain('the token is ***');
    expect(log).not.toContain(VALUE);
    // The stored job keeps the reference, not the value.
    const job = JSON.parse((await cli(['job', 'show', '-n', name, '-o', 'json'])).stdout) as { job: { environment_variables: Record<string, string> } };
    expect(job.job.environment_variables.TOKEN).toBe('${{secrets.API_TOKEN}}');
    expect(diskContains(lathe.dataDir, VALUE)).toEqual([]);
  });

  it('refuses a job naming a secret that does not exist, before queueing it', async () => {
    const yml = join(work, 'missing.yml');
    writeFileSync(yml, 'command: echo hi\nenvironment_variables:\n  T: ${{secrets.NOPE}}\n');
    const res = await cli(['job', 'create', '-f', yml]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("the job uses secret 'NOPE', which does not exist (create it with: lathe secret set NOPE)");
    writeFileSync(yml, 'command: echo hi\nenvironment_variables:\n  T: "Bearer ${{secrets.API_TOKEN}}"\n');
    expect((await cli(['job', 'create', '-f', yml])).stderr).toContain('environment_variables.T: a secret reference must be the whole value');
  });

  it('gives values to no user token, only to the agent of a running job that references them', async () => {
    const runs = await lathe.client.call('listRuns', { query: {} });
    const done = runs.items.find((r) => r.status === 'Completed')!;
    await expect(lathe.client.call('getRunSecrets', { params: { run: done.id } })).rejects.toSatisfy((e: unknown) => e instanceof LatheError && e.code === 'PERMISSION_DENIED');
  });

  it('rotates the master key: values are re-encrypted and still work', async () => {
    const before = readFileSync(join(lathe.dataDir, 'master.key'), 'utf8');
    const r = JSON.parse((await cli(['secret', 'rotate-key', '-o', 'json'])).stdout) as { key_id: string; reencrypted: number };
    expect(r.reencrypted).toBe(2);
    const after = JSON.parse(readFileSync(join(lathe.dataDir, 'master.key'), 'utf8')) as { active: string; keys: Record<string, string> };
    expect(after.active).toBe(r.key_id);
    expect(Object.keys(after.keys)).toEqual([r.key_id]);
    expect(JSON.stringify(after)).not.toBe(before);
    const res = await cli(['job', 'create', '-f', join(work, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(sha(VALUE));
  });

  it('deletes a secret', async () => {
    expect((await cli(['secret', 'delete', 'OTHER'])).stdout).toContain('Deleted secret OTHER');
    expect((await cli(['secret', 'delete', 'OTHER'])).stderr).toContain("secret 'OTHER' not found");
  });
});

describe('a master key from LATHE_MASTER_KEY', () => {
  it('makes no key file, re-encrypts under a new key at start (old one in LATHE_MASTER_KEY_PREVIOUS), refuses API rotation', async () => {
    const k1 = randomBytes(32).toString('base64');
    const k2 = randomBytes(32).toString('hex');
    let lathe = await startLathe({ env: { LATHE_MASTER_KEY: k1 } });
    const home = lathe.home;
    try {
      expect(() => statSync(join(lathe.dataDir, 'master.key'))).toThrow();
      await lathe.client.call('setSecret', { params: { name: 'S' }, body: { value: 'value-under-k1' } });
      await expect(lathe.client.call('rotateSecretKey', {})).rejects.toThrow(/LATHE_MASTER_KEY_PREVIOUS/);
      await lathe.stop();
      lathe = await startLathe({ home, env: { LATHE_MASTER_KEY: k2, LATHE_MASTER_KEY_PREVIOUS: k1 } });
      await lathe.stop();
      // Only the new key now: the value was re-encrypted at the previous start.
      lathe = await startLathe({ home, env: { LATHE_MASTER_KEY: k2 } });
      const client = new LatheClient({ url: lathe.url, token: lathe.token, workspace: 'default' });
      writeFileSync(join(home, 'job.yml'), 'command: printf %s "$S" | sha256sum\nenvironment_variables:\n  S: ${{secrets.S}}\n');
      const res = await runCli(home, ['job', 'create', '-f', join(home, 'job.yml'), '--stream']);
      expect(res.stdout).toContain(sha('value-under-k1'));
      expect((await client.call('listSecrets', {})).items.map((s) => s.name)).toEqual(['S']);
    } finally {
      await lathe.stop();
      cleanup(home);
    }
  });
});
