import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { LatheError } from '@lathe/contract';
import type { BlobEntry, BlobStoreOptions, ListableBlobStore, PutResult } from '../blob-store.js';
import { storeError } from '../store-errors.js';

/** Objects up to this size go up in one request; larger ones as staged blocks. */
const SINGLE_PUT = 8 * 1024 * 1024;
const BLOCK = 8 * 1024 * 1024;

/**
 * Blobs in an Azure Blob Storage container (or Azurite), under an optional key prefix.
 * The SDK is loaded by the factory, only when a store of this kind is opened.
 */
export class AzureBlobStore implements ListableBlobStore {
  constructor(private readonly container: ContainerClient, private readonly prefix: string, private readonly label: string) {}

  private name(key: string): string {
    return this.prefix + key;
  }

  async put(key: string, body: Readable): Promise<PutResult> {
    const blob = this.container.getBlockBlobClient(this.name(key));
    const hash = createHash('sha256');
    let size = 0;
    // Read up to SINGLE_PUT bytes: a small object is one request (a block blob commit is atomic either way).
    const head: Buffer[] = [];
    let headBytes = 0;
    const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let done = false;
    while (headBytes < SINGLE_PUT) {
      const n = await it.next();
      if (n.done) {
        done = true;
        break;
      }
      const chunk = Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
      head.push(chunk);
      headBytes += chunk.length;
    }
    try {
      if (done) {
        const buf = Buffer.concat(head, headBytes);
        hash.update(buf);
        size = buf.length;
        await blob.upload(buf, buf.length);
      } else {
        const meter = new Transform({
          transform(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        });
        const rest = Readable.from((async function* () {
          for (const h of head) yield h;
          for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
        })());
        await blob.uploadStream(rest.pipe(meter), BLOCK, 8);
      }
    } catch (err) {
      throw storeError(err, this.label, 'upload', key);
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.container.getBlobClient(this.name(key)).download();
      if (!res.readableStreamBody) throw new LatheError('INTERNAL', `${this.label}: download ${key} returned no body`);
      return res.readableStreamBody as Readable;
    } catch (err) {
      throw storeError(err, this.label, 'download', key);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return await this.container.getBlobClient(this.name(key)).exists();
    } catch (err) {
      throw storeError(err, this.label, 'check', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.name(key)).deleteIfExists();
    } catch (err) {
      throw storeError(err, this.label, 'delete', key);
    }
  }

  async stat(key: string): Promise<BlobEntry | null> {
    try {
      const p = await this.container.getBlobClient(this.name(key)).getProperties();
      return { key, size: p.contentLength ?? 0, etag: (p.etag ?? '').replace(/"/g, ''), modifiedAt: p.lastModified?.getTime() ?? 0 };
    } catch (err) {
      const e = storeError(err, this.label, 'stat', key);
      if (e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<BlobEntry> {
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: this.name(prefix) })) {
        yield { key: b.name.slice(this.prefix.length), size: b.properties.contentLength ?? 0, etag: (b.properties.etag ?? '').replace(/"/g, ''), modifiedAt: b.properties.lastModified.getTime() };
      }
    } catch (err) {
      throw storeError(err, this.label, 'list', prefix);
    }
  }
}

/**
 * `azblob://<account>/<container>[/<prefix>]` or `wasbs://<container>@<account>.blob.<suffix>[/<prefix>]`.
 * Options: `endpoint` (the service URL, e.g. Azurite's http://127.0.0.1:10000/devstoreaccount1),
 * credentials `account_key` or `sas_token` (else anonymous).
 */
export async function azureBlobStore(url: URL, o: BlobStoreOptions = {}): Promise<ListableBlobStore> {
  let account: string;
  let container: string;
  let rest: string;
  let serviceUrl: string;
  if (url.protocol === 'wasbs:' || url.protocol === 'wasb:') {
    container = decodeURIComponent(url.username);
    account = url.hostname.split('.')[0]!;
    rest = url.pathname.replace(/^\/+/, '');
    serviceUrl = o.endpoint ?? `${url.protocol === 'wasb:' ? 'http' : 'https'}://${url.hostname}`;
  } else {
    account = url.hostname;
    const parts = url.pathname.replace(/^\/+/, '').split('/');
    container = parts.shift() ?? '';
    rest = parts.join('/');
    serviceUrl = o.endpoint ?? `https://${account}.blob.core.windows.net`;
  }
  if (!account || !container) throw new LatheError('INVALID_ARGUMENT', `an Azure Blob URL names an account and a container: azblob://<account>/<container>[/<prefix>] (got ${url.protocol}//${url.host}${url.pathname})`);
  const prefix = rest && !rest.endsWith('/') ? `${rest}/` : rest;
  const sdk = await import('@azure/storage-blob');
  const timeout = o.timeoutMs ?? 30_000;
  const pipelineOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: timeout, retryDelayInMs: 200, maxRetryDelayInMs: 1000 }, keepAliveOptions: { enable: true } };
  const key = o.credentials?.account_key;
  const sas = o.credentials?.sas_token;
  const service = key
    ? new sdk.BlobServiceClient(serviceUrl, new sdk.StorageSharedKeyCredential(account, key), pipelineOptions)
    : new sdk.BlobServiceClient(sas ? `${serviceUrl}?${sas.replace(/^\?/, '')}` : serviceUrl, new sdk.AnonymousCredential(), pipelineOptions);
  return new AzureBlobStore(service.getContainerClient(container), prefix, `Azure Blob ${account}/${container}`);
}
