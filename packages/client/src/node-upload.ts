import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { UploadBody, UploadTransport } from './lathe-client.js';

function toReadable(body: UploadBody): Readable | Uint8Array | string {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof Readable) return body;
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') return Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
  return Readable.from(body as AsyncIterable<Uint8Array>);
}

/**
 * Uploads over node:http, for Node callers (the CLI, agents). `fetch` turns a file stream
 * into a web stream and copies every chunk on the way; for a 1 GB file that copying and
 * its garbage took more CPU than reading and hashing the file. The answer comes back as a
 * web `Response`, so the client treats it like any other.
 */
export const nodeUploadTransport: UploadTransport = (url, init) => new Promise<Response>((resolve, reject) => {
  const target = new URL(url);
  const req = (target.protocol === 'https:' ? https : http).request(target, { method: init.method, headers: init.headers }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
    });
  });
  req.on('error', reject);
  const body = toReadable(init.body);
  if (body instanceof Readable) {
    // A body that fails to read (a file removed mid-upload) aborts the request with that error.
    pipeline(body, req).catch((err: unknown) => {
      req.destroy(err as Error);
      reject(err as Error);
    });
  } else {
    req.end(body);
  }
});
