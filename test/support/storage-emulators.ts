/**
 * Test support: real object-store emulators on free ports, in temp folders, stopped after.
 * Azurite (Azure Blob) runs as a child process; s3rver runs in-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './lathe-process.js';

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Emulator {
  /** The service URL (Azurite: including the account). */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Emulator> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-azurite-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(join(REPO, 'node_modules/.bin/azurite-blob'), [
      '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Never outlive the test process, whatever happens to its hooks.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      child.stdout!.on('data', () => {
        if (/successfully listens/i.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      child.kill('SIGKILL');
      if (attempt < 2) continue;
      throw new Error(`azurite did not start:\n${out}`);
    }
    return {
      endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
      stop: async () => {
        process.off('exit', killOnExit);
        child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** s3rver's fixed credentials. */
export const S3RVER_KEY_ID = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';

export async function startS3rver(buckets: string[]): Promise<Emulator> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-s3rver-'));
  // s3rver ships no types: import it through a variable so TypeScript does not look for them.
  const name = 's3rver';
  const { default: S3rver } = (await import(name)) as { default: new (o: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> } };
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
