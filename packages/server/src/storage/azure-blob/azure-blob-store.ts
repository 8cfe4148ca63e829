import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { LatheError } from '@lathe/contract';
import type { BlobEntry, BlobStoreOptions, ListableBlobStore, PutOptions, PutResult } from '../blob-store.js';
import { contentMismatch, storeError } from '../store-errors.js';

/** Objects up to this size go up in one request; larger ones as staged blocks. */
const BLOCK = 8 * 1024 * 1024;
/** Blocks staged at once for one object (memory: up to this many blocks of BLOCK bytes). */
const BLOCKS_IN_FLIGHT = 4;

/**
 * Blobs in an Azure Blob Storage container (or Azurite), under an optional key prefix.
 * The SDK is loaded by the factory, only when a store of this kind is opened.
 */
export class AzureBlobStore implements ListableBlobStore {
  constructor(private readonly container: ContainerClient, private readonly prefix: string, private readonly label: string) {}

  private name(key: string): string {
    return this.prefix + key;
  }

  /**
   * An object of up to BLOCK bytes is one Put Blob. A larger one is staged block by block
   * (BLOCKS_IN_FLIGHT at once) while it is hashed, and committed only after the last byte:
   * staged blocks stay invisible, so a failed body or a wrong `options.sha256` leaves
   * nothing under the key (Azure drops uncommitted blocks itself).
   */
  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const blob = this.container.getBlockBlobClient(this.name(key));
    const hash = createHash('sha256');
    let size = 0;
    const check = (sha256: string) => {
      if (options.sha256 !== undefined && sha256 !== options.sha256) throw contentMismatch(this.label, key, sha256, options.sha256);
    };
    // Block IDs unique to this upload: two uploads of one key must not overwrite each other's staged blocks.
    const nonce = randomBytes(6).toString('hex');
    const blockIds: string[] = [];
    const staging = new Set<Promise<void>>();
    let stageError: unknown;
    // Block buffers are reused once staged: allocating a fresh 8 MiB buffer per block made
    // the garbage collector a large share of a big upload.
    const spare: Buffer[] = [];
    const stage = (data: Buffer, length: number) => {
      const id = Buffer.from(`${nonce}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
      blockIds.push(id);
      const p: Promise<void> = blob.stageBlock(id, data.subarray(0, length), length).then(
        () => {
          spare.push(data);
          staging.delete(p);
        },
        (err: unknown) => {
          stageError ??= err;
          staging.delete(p);
        },
      );
      staging.add(p);
    };
    // Chunks are kept as they come until they pass BLOCK bytes; only then is this a staged upload.
    const head: Buffer[] = [];
    let block: Buffer | undefined;
    let fill = 0;
    const append = (chunk: Buffer) => {
      for (let at = 0; at < chunk.length;) {
        // A full block is staged only once more bytes arrive, so the last block may be short.
        if (!block || fill === BLOCK) {
          if (block) stage(block, BLOCK);
          block = spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK);
          fill = 0;
        }
        const n = chunk.copy(block, fill, at);
        fill += n;
        at += n;
      }
    };
    try {
      for await (const c of body) {
        const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
        hash.update(chunk);
        size += chunk.length;
        if (block) append(chunk);
        else {
          head.push(chunk);
          if (size > BLOCK) for (const h of head.splice(0)) append(h);
        }
        while (staging.size >= BLOCKS_IN_FLIGHT && !stageError) await Promise.race(staging);
        if (stageError) throw stageError;
      }
      const sha256 = hash.digest('hex');
      if (!block) {
        check(sha256);
        const all = Buffer.concat(head, size);
        await blob.upload(all, all.length);
      } else {
        if (fill > 0) stage(block, fill);
        await Promise.all(staging);
        if (stageError) throw stageError;
        check(sha256);
        await blob.commitBlockList(blockIds);
      }
      return { size, sha256 };
    } catch (err) {
      await Promise.all(staging);
      throw storeError(err, this.label, 'upload', key);
    }
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

  /** A server-side copy (within one account: no bytes through Lathe), then the source goes. */
  async move(from: string, to: string): Promise<void> {
    const source = this.container.getBlobClient(this.name(from));
    try {
      const poller = await this.container.getBlobClient(this.name(to)).beginCopyFromURL(source.url, { intervalInMs: 200 });
      const done = await poller.pollUntilDone();
      if (done.copyStatus !== 'success') throw new LatheError('UNAVAILABLE', `${this.label}: copy ${from} to ${to} ended ${done.copyStatus ?? 'without a status'}`);
    } catch (err) {
      throw storeError(err, this.label, 'move', from);
    }
    await this.delete(from);
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
