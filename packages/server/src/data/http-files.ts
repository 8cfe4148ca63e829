import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { invalid, LatheError, notFound, type DatastoreFile } from '@lathe/contract';
import type { DatastoreFiles } from '../datastores/datastore-files.js';
import { checkDataPath } from '../datastores/datastore-files.js';

/** `http(s)://host[:port]/p` → its origin (recorded in place of a datastore name) and path. Null for other URIs. */
export function parseHttpUri(uri: string): { datastore: string; path: string } | null {
  if (!/^https?:\/\//i.test(uri)) return null;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`'${uri}' is not a valid URL`);
  }
  if (url.username || url.password) throw invalid(`${url.origin}: a URL with credentials is not accepted (they would be stored in the clear); use a datastore with secret references`);
  // A query is typically a SAS token: a credential, which would be stored and shown in the clear.
  if (url.search) throw invalid(`${url.origin}${url.pathname}: a URL with a query string is not supported (for a SAS token, create an azure_blob datastore with sas_token: \${{secrets.NAME}})`);
  return { datastore: url.origin, path: checkDataPath(decodeURIComponent(url.pathname), uri) };
}

/** Whether a recorded datastore is an http(s) origin rather than a datastore name (names cannot hold ':'). */
export const isHttpOrigin = (datastore: string) => /^https?:\/\//.test(datastore);

/**
 * One public file over http(s), read with plain GET (and HEAD for its size and ETag), as
 * the data area reads a datastore. There is no listing over HTTP, so folders are refused.
 * Every request must answer within `timeoutMs`, and a body must not stall for longer
 * while it is being read; errors name the URL and the status.
 */
export class HttpFiles implements DatastoreFiles {
  constructor(private readonly origin: string, private readonly timeoutMs: number) {}

  private url(path: string): string {
    return `${this.origin}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /**
   * Response headers within the deadline. The body may take as long as it needs in all,
   * but read through `bodyOf` it fails when no bytes come for `timeoutMs` while its reader
   * waits (a reader that pauses, e.g. for a slow upload, does not count as a stall).
   */
  private async request(method: 'GET' | 'HEAD', path: string): Promise<{ res: Response; bodyOf: () => Readable }> {
    const url = this.url(path);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { method, signal: ctl.signal, redirect: 'follow' });
    } catch (err) {
      if (ctl.signal.aborted) throw new LatheError('UNAVAILABLE', `${method} ${url}: no answer within ${Math.round(this.timeoutMs / 1000)} s`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new LatheError('UNAVAILABLE', `${method} ${url}: unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) {
      const body = res.body;
      const stalled = () => new LatheError('UNAVAILABLE', `${method} ${url}: the body stalled (no bytes for ${Math.round(this.timeoutMs / 1000)} s)`);
      return { res, bodyOf: () => Readable.from(stallGuarded(body, this.timeoutMs, stalled, () => ctl.abort())) };
    }
    await res.body?.cancel().catch(() => undefined);
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    if (res.status === 404 || res.status === 410) throw notFound(`${method} ${url}: ${status}`);
    if (res.status === 401 || res.status === 403) throw new LatheError('PERMISSION_DENIED', `${method} ${url}: ${status} (only public files can be read over http(s); use a datastore for private ones)`);
    throw new LatheError('UNAVAILABLE', `${method} ${url}: ${status}`);
  }

  /** The one file at `path`: size, ETag and Last-Modified from HEAD; a sha256 of its bytes when the server gives no ETag. */
  async list(path: string): Promise<DatastoreFile[]> {
    if (path === '' || path.endsWith('/')) throw invalid(`${this.url(path)}: folders over http(s) are not supported (there is no listing): register a file as uri_file, or use a datastore`);
    let got = await this.request('HEAD', path).catch(async (err: unknown) => {
      // Some servers refuse HEAD; GET says the same and more.
      if (err instanceof LatheError && err.code === 'UNAVAILABLE' && /HTTP (405|501)/.test(err.message)) return this.request('GET', path);
      throw err;
    });
    let res = got.res;
    const etag = res.headers.get('etag') ?? undefined;
    const modified = Date.parse(res.headers.get('last-modified') ?? '');
    let size = Number(res.headers.get('content-length') ?? NaN);
    let sha256: string | undefined;
    if (!etag || !Number.isFinite(size)) {
      if (res.bodyUsed || res.body === null) {
        got = await this.request('GET', path);
        res = got.res;
      }
      const hash = createHash('sha256');
      size = 0;
      for await (const chunk of got.bodyOf()) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      sha256 = hash.digest('hex');
    } else {
      await res.body?.cancel().catch(() => undefined);
    }
    return [{ path, size, ...(sha256 ? { sha256 } : {}), ...(etag ? { etag } : {}), ...(Number.isFinite(modified) ? { modified_at: modified } : {}) }];
  }

  async open(path: string): Promise<Readable> {
    return (await this.request('GET', path)).bodyOf();
  }
}

/**
 * A response body's chunks, failing with `stalled()` when the next chunk takes longer
 * than `ms` to come (then `abort` drops the request). The clock runs only while the
 * reader waits for a chunk.
 */
async function* stallGuarded(body: ReadableStream<Uint8Array> | null, ms: number, stalled: () => Error, abort: () => void): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject first: aborting fails the pending read too, and the race must report the stall.
          reject(stalled());
          abort();
        }, ms);
      });
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await Promise.race([reader.read(), timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A reader that stops early (or a stall) lets the connection go.
    if (!finished) await reader.cancel().catch(() => undefined);
    try {
      reader.releaseLock();
    } catch {
      // already released with the stream's end
    }
  }
}
