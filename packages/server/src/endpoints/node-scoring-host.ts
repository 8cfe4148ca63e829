/**
 * The JavaScript scoring host: `node node-scoring-host.js <script>`. The same contract
 * and protocol as the Python host (python/lathe_scoring): the script exports `init()` and
 * `run(rawData)` (either may be async); requests arrive framed on fd 3, answers leave on fd 4.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ScoringScript {
  init?: () => unknown;
  run: (raw: string) => unknown;
}

function frame(id: number, status: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + body.length);
  out.writeUInt32BE(id, 0);
  out.writeUInt32BE(status, 4);
  out.writeUInt32BE(body.length, 8);
  body.copy(out, 12);
  return out;
}

async function main(): Promise<void> {
  const output = createWriteStream('', { fd: 4 });
  const script = process.argv[2];
  let mod: ScoringScript;
  try {
    if (!script) throw new Error('usage: node-scoring-host <script>');
    mod = (await import(pathToFileURL(script).href)) as ScoringScript;
    if (typeof mod.run !== 'function') throw new Error(`the scoring script ${script} exports no run(rawData) function`);
    await mod.init?.();
  } catch (err) {
    console.error(err);
    output.write(frame(0, 500, Buffer.from(`init() failed: ${(err as Error).message}`)), () => process.exit(1));
    return;
  }
  output.write(frame(0, 200, Buffer.from('ready')));
  const input = createReadStream('', { fd: 3 });
  let buf: Buffer = Buffer.alloc(0);
  // Answers leave in request order, as the gateway expects, even when run() is async.
  let chain: Promise<void> = Promise.resolve();
  input.on('data', (chunk: string | Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4);
      if (buf.length < 8 + len) break;
      const id = buf.readUInt32BE(0);
      const body = buf.subarray(8, 8 + len).toString('utf8');
      buf = buf.subarray(8 + len);
      chain = chain.then(async () => {
        try {
          output.write(frame(id, 200, Buffer.from(JSON.stringify(await mod.run(body)) ?? 'null')));
        } catch (err) {
          console.error(err);
          output.write(frame(id, 500, Buffer.from(JSON.stringify({ message: `An unexpected error occurred in scoring script: ${(err as Error).message}` }))));
        }
      });
    }
  });
  input.on('end', () => void chain.then(() => output.end(() => process.exit(0))));
}

void main();
