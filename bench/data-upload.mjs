#!/usr/bin/env node
/**
 * Creating a data asset from local files when the server's blob store is Azure Blob
 * (Azurite): `lathe data create --path DIR` (hash, ask which blobs are missing, stream
 * them through the server into Azurite, record the asset and its metadata snapshot)
 * against the bare @azure/storage-blob upload of the same bytes, in the same run.
 *
 *   node bench/data-upload.mjs        # 10,000 small files, and one large file (BENCH_LARGE_MB, default 1024: the 1 GB)
 *   BENCH_ONLY=small|large            # one of the two cases
 *   BENCH_ROUNDS=3                    # SDK/Lathe pairs per case (default 3); the median ratio counts,
 *                                     # as the machine's load swings between runs
 *   BENCH_CLI_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   # node flags for the CLI process;
 *                                     # run this file under `node --cpu-prof` for the (in-process) server
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
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY;
/**
 * Small files: the bare SDK baseline keeps this many uploads in flight, as many as Lathe's
 * server keeps against Azurite (2 packs in flight x 8 puts each); 16 was also the SDK's
 * fastest of 4, 8, 16 and 32 here.
 */
const SDK_CONCURRENCY = Number(process.env.BENCH_SDK_CONCURRENCY ?? 16);

function cli(latheHome, args) {
  return new Promise((resolve, reject) => {
    const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, CLI_BIN, ...args], { env: { ...process.env, LATHE_HOME: latheHome }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`lathe ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

/** Inputs: distinct random content, so nothing deduplicates. */
function makeSmallFiles() {
  const dir = tempDir('small');
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = join(dir, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) mkdirSync(sub);
    writeFileSync(join(sub, `f${i}.bin`), randomBytes(SMALL_BYTES));
  }
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
  return { dir, files };
}

async function makeLargeFile() {
  const file = join(tempDir('large'), 'big.bin');
  await new Promise((resolve, reject) => {
    const ws = createWriteStream(file);
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
  return file;
}

async function main() {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const { startServer } = await import('@lathe/server');
  log(`data-upload: ${cpus().length} cores; each measurement gets a fresh Azurite (its in-memory index slows as blobs pile up)`);

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
  /** ROUNDS pairs, SDK then Lathe, so a change in machine load lands on both; the median pair's ratio counts. */
  async function measure(label, bytes, sdkRun, latheArgs) {
    const mb = bytes / 1e6;
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const sdk = await bare(sdkRun);
      const mine = await lathe(latheArgs);
      rounds.push({ mine, sdk, ratio: sdk / mine });
      log(`${label} round ${i + 1}: lathe data create ${mine.toFixed(2)} s (${(mb / mine).toFixed(1)} MB/s); bare SDK ${sdk.toFixed(2)} s (${(mb / sdk).toFixed(1)} MB/s); ratio ${fmtRatio(sdk / mine)}`);
    }
    const { mine, sdk, ratio } = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)];
    log(`${label}: median ratio ${fmtRatio(ratio)} ${ratio >= 0.8 ? 'met' : 'MISSED'} (goal >= 0.8x)`);
    results.push({ label, mine, sdk, ratio, rounds });
  }

  if (ONLY !== 'large') {
    const smallFiles = makeSmallFiles();
    await measure(`${SMALL_FILES} files x ${SMALL_BYTES} B`, SMALL_FILES * SMALL_BYTES, async (c) => {
      const queue = [...smallFiles.files];
      await Promise.all(Array.from({ length: SDK_CONCURRENCY }, async () => {
        for (let f = queue.shift(); f; f = queue.shift()) await c.getBlockBlobClient(f.slice(smallFiles.dir.length + 1)).uploadFile(f);
      }));
    }, ['data', 'create', '--name', 'small', '--path', smallFiles.dir]);
  }
  if (ONLY !== 'small') {
    const large = await makeLargeFile();
    // The same block size and blocks in flight as Lathe's Azure store (8 MiB, 4).
    await measure(`one file of ${LARGE_MB} MB`, LARGE_MB * 1024 * 1024, (c) => c.getBlockBlobClient('big.bin').uploadFile(large, { blockSize: 8 * 1024 * 1024, concurrency: 4 }),
      ['data', 'create', '--name', 'large', '--type', 'uri_file', '--path', large]);
  }

  const worst = Math.min(...results.map((r) => r.ratio));
  report({ name: 'data-upload', value: worst, unit: 'x (worst of small files / large file)', baseline: 1, baselineLabel: 'bare @azure/storage-blob upload', ratio: worst, goal: '>= 0.8x', met: worst >= 0.8, details: results });
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
