#!/usr/bin/env node
/**
 * Creating a data asset from local files when the server's blob store is Azure Blob
 * (Azurite): `lathe data create --path DIR` (hash, ask which blobs are missing, stream
 * them through the server into Azurite, record the asset and its metadata snapshot)
 * against the bare @azure/storage-blob upload of the same bytes, in the same run.
 *
 *   node bench/data-upload.mjs        # 10,000 small files, and one large file (BENCH_LARGE_MB, default 256)
 *
 * Goal: >= 0.8x the bare SDK's throughput for both.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, createWriteStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { CLI_BIN, fmtRatio, log, now, readCredentials, report, serverConfig, tempDir } from './lib.mjs';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from './data-lib.mjs';

const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const SMALL_BYTES = 2048;
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 256);
/** The bare SDK baseline uploads with this many requests in flight (the CLI uses 4 workers). */
const SDK_CONCURRENCY = Number(process.env.BENCH_SDK_CONCURRENCY ?? 4);

function cli(latheHome, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, LATHE_HOME: latheHome }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`lathe ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

async function main() {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const { startServer } = await import('@lathe/server');
  log(`data-upload: ${cpus().length} cores; each measurement gets a fresh Azurite (its in-memory index slows as blobs pile up)`);

  // Inputs: distinct random content, so nothing deduplicates.
  const small = tempDir('small');
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = join(small, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `f${i}.bin`), randomBytes(SMALL_BYTES));
  }
  const smallFiles = readdirSync(small, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
  const large = join(tempDir('large'), 'big.bin');
  await new Promise((resolve, reject) => {
    const ws = createWriteStream(large);
    let left = LARGE_MB;
    const write = () => {
      while (left > 0) {
        left--;
        if (!ws.write(randomBytes(1024 * 1024))) return ws.once('drain', write);
      }
      ws.end(resolve);
    };
    ws.on('error', reject);
    write();
  });

  /** The bare SDK against a fresh Azurite. */
  async function bare(fn) {
    const azurite = await startAzurite();
    const container = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient('baseline');
    await container.create();
    const s = now();
    await fn(container);
    const t = (now() - s) / 1000;
    await azurite.stop();
    return t;
  }
  /** `lathe data create` against a server whose blob store is a fresh Azurite. */
  async function lathe(args) {
    const azurite = await startAzurite();
    await new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient('lathe').create();
    const dataDir = tempDir('data');
    const latheHome = tempDir('home');
    const config = serverConfig({ dataDir, latheHome, env: { AZURE_STORAGE_KEY: AZURITE_KEY, LATHE_BLOB_ENDPOINT: azurite.endpoint } });
    const server = await startServer({ ...config, blobUrl: `azblob://${AZURITE_ACCOUNT}/lathe` });
    readCredentials(latheHome);
    const s = now();
    await cli(latheHome, args);
    const t = (now() - s) / 1000;
    await server.close();
    await azurite.stop();
    return t;
  }

  const results = [];
  function show(label, bytes, mine, sdk) {
    const mb = bytes / 1e6;
    const ratio = sdk / mine;
    log(`${label}: lathe data create ${mine.toFixed(2)} s (${(mb / mine).toFixed(1)} MB/s); bare SDK ${sdk.toFixed(2)} s (${(mb / sdk).toFixed(1)} MB/s); ratio ${fmtRatio(ratio)} ${ratio >= 0.8 ? 'met' : 'MISSED'} (goal >= 0.8x)`);
    results.push({ label, mine, sdk, ratio });
  }

  let sdk = await bare(async (c) => {
    const queue = [...smallFiles];
    await Promise.all(Array.from({ length: SDK_CONCURRENCY }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await c.getBlockBlobClient(f.slice(small.length + 1)).uploadFile(f);
    }));
  });
  let mine = await lathe(['data', 'create', '--name', 'small', '--path', small]);
  show(`${SMALL_FILES} files x ${SMALL_BYTES} B`, SMALL_FILES * SMALL_BYTES, mine, sdk);

  sdk = await bare((c) => c.getBlockBlobClient('big.bin').uploadFile(large, { blockSize: 8 * 1024 * 1024, concurrency: 4 }));
  mine = await lathe(['data', 'create', '--name', 'large', '--type', 'uri_file', '--path', large]);
  show(`one file of ${LARGE_MB} MB`, LARGE_MB * 1024 * 1024, mine, sdk);

  const worst = Math.min(...results.map((r) => r.ratio));
  report({ name: 'data-upload', value: worst, unit: 'x (worst of small files / large file)', baseline: 1, baselineLabel: 'bare @azure/storage-blob upload', ratio: worst, goal: '>= 0.8x', met: worst >= 0.8, details: results });
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
