/**
 * Test support: a real `lathe server` child process on port 0 with its own LATHE_HOME,
 * and the real CLI run as a child process against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LatheClient } from '@lathe/client';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO, 'packages/cli/bin/lathe.js');

export interface LatheProcess {
  url: string;
  port: number;
  token: string;
  home: string;
  dataDir: string;
  client: LatheClient;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export interface StartOptions {
  home?: string;
  port?: number;
  slots?: number;
  env?: Record<string, string>;
}

export function tempDir(prefix = 'lathe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startLathe(o: StartOptions = {}): Promise<LatheProcess> {
  const home = o.home ?? tempDir();
  const dataDir = join(home, 'data');
  const args = [CLI, 'server', '--port', String(o.port ?? 0), '--data', dataDir];
  if (o.slots) args.push('--slots', String(o.slots));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LATHE_HOME: home, LATHE_TICK_MS: '200', LATHE_HEARTBEAT_MS: '500', LATHE_KILL_GRACE_MS: '1000', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /Lathe listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  const creds = JSON.parse(readFileSync(join(home, 'credentials'), 'utf8')) as { token: string };
  return {
    url,
    port: Number(new URL(url).port),
    token: creds.token,
    home,
    dataDir,
    child,
    output: () => out,
    client: new LatheClient({ url, token: creds.token, workspace: 'default' }),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real `lathe` CLI against a server's LATHE_HOME. */
export function runCli(home: string, args: string[], o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd ?? REPO,
      env: { ...process.env, LATHE_HOME: home, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lathe ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveResult({ code, stdout, stderr });
    });
  });
}

/** Wait until `check` returns a value (polling), or fail with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

