/**
 * Helpers for the data benchmarks: an Azurite blob service on a free port in a temp
 * folder (stopped on exit), and its well-known development account.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO, tempDir } from './lib.mjs';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Start azurite-blob; resolves { endpoint, stop }. */
export async function startAzurite() {
  const dir = tempDir('azurite');
  const port = await freePort();
  const child = spawn(join(REPO, 'node_modules/.bin/azurite-blob'), ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`azurite did not start: ${out}`)), 20_000);
    child.stdout.on('data', (b) => {
      out += b;
      if (/successfully listens/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`azurite exited (${code}): ${out}`)));
  });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  return {
    endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    stop: () => new Promise((r) => {
      process.off('exit', kill);
      child.once('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
}
