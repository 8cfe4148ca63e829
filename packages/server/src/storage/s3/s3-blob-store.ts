import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { LatheError } from '@lathe/contract';
import type { BlobEntry, BlobStoreOptions, ListableBlobStore, PutOptions, PutResult } from '../blob-store.js';
import { contentMismatch, storeError } from '../store-errors.js';

/** Parts of a multipart upload (S3 wants >= 5 MiB for all but the last). */
const PART = 8 * 1024 * 1024;
/** S3's limit for one CopyObject, and the part size for copying anything larger. */
const COPY_MAX = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 * 1024;

type S3Sdk = typeof S3SdkModule;

/**
 * Objects in an S3 bucket (or s3rver), under an optional key prefix. Streams are cut into
 * parts of PART bytes: one PutObject for small objects, a multipart upload for large
 * ones, so memory stays bounded and an object appears whole or not at all.
 */
export class S3BlobStore implements ListableBlobStore {
  constructor(private readonly sdk: S3Sdk, private readonly client: S3Client, private readonly bucket: string, private readonly prefix: string, private readonly label: string) {}

  private name(key: string): string {
    return this.prefix + key;
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const { PutObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand } = this.sdk;
    const Key = this.name(key);
    const hash = createHash('sha256');
    let size = 0;
    let buf: Buffer[] = [];
    let bufBytes = 0;
    let uploadId: string | undefined;
    const parts: Array<{ ETag: string; PartNumber: number }> = [];
    const flushPart = async (data: Buffer) => {
      if (!uploadId) uploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }))).UploadId!;
      const PartNumber = parts.length + 1;
      const r = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber, Body: data, ContentLength: data.length }));
      parts.push({ ETag: r.ETag!, PartNumber });
    };
    try {
      for await (const c of body) {
        const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
        hash.update(chunk);
        size += chunk.length;
        buf.push(chunk);
        bufBytes += chunk.length;
        if (bufBytes >= PART) {
          const all = Buffer.concat(buf, bufBytes);
          await flushPart(all.subarray(0, PART));
          const rest = all.subarray(PART);
          buf = rest.length ? [Buffer.from(rest)] : [];
          bufBytes = rest.length;
        }
      }
      const last = Buffer.concat(buf, bufBytes);
      // Every byte has been hashed; check before anything becomes visible (the catch aborts a multipart upload).
      const sha256 = hash.digest('hex');
      if (options.sha256 !== undefined && sha256 !== options.sha256) throw contentMismatch(this.label, key, sha256, options.sha256);
      if (!uploadId) {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: last, ContentLength: last.length }));
      } else {
        if (last.length) await flushPart(last);
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      }
      return { size, sha256 };
    } catch (err) {
      if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })).catch(() => undefined);
      throw storeError(err, this.label, 'upload', key);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const r = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
      if (!r.Body) throw new LatheError('INTERNAL', `${this.label}: download ${key} returned no body`);
      return r.Body as Readable;
    } catch (err) {
      throw storeError(err, this.label, 'download', key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
    } catch (err) {
      const e = storeError(err, this.label, 'delete', key);
      if (e.code !== 'NOT_FOUND') throw e;
    }
  }

  /**
   * A server-side CopyObject, then the source goes. One CopyObject takes objects up to
   * 5 GiB; larger ones are copied part by part (UploadPartCopy).
   */
  async move(from: string, to: string): Promise<void> {
    const { CopyObjectCommand, CreateMultipartUploadCommand, UploadPartCopyCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand } = this.sdk;
    const source = this.name(from);
    const CopySource = encodeURIComponent(`${this.bucket}/${source}`).replace(/%2F/g, '/');
    const Key = this.name(to);
    const entry = await this.stat(from);
    if (!entry) throw new LatheError('NOT_FOUND', `${this.label}: move ${from}: not found`);
    try {
      if (entry.size <= COPY_MAX) {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key, CopySource }));
      } else {
        const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
        try {
          const parts: Array<{ ETag: string; PartNumber: number }> = [];
          for (let start = 0, n = 1; start < entry.size; start += COPY_PART, n++) {
            const end = Math.min(start + COPY_PART, entry.size) - 1;
            const r = await this.client.send(new UploadPartCopyCommand({ Bucket: this.bucket, Key, UploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }));
            parts.push({ ETag: r.CopyPartResult!.ETag!, PartNumber: n });
          }
          await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
        } catch (err) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
          throw err;
        }
      }
    } catch (err) {
      throw storeError(err, this.label, 'move', from);
    }
    await this.delete(from);
  }

  async stat(key: string): Promise<BlobEntry | null> {
    try {
      const r = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
      return { key, size: Number(r.ContentLength ?? 0), etag: (r.ETag ?? '').replace(/"/g, ''), modifiedAt: r.LastModified?.getTime() ?? 0 };
    } catch (err) {
      const e = storeError(err, this.label, 'stat', key);
      if (e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<BlobEntry> {
    let token: string | undefined;
    do {
      let r;
      try {
        r = await this.client.send(new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.name(prefix), ContinuationToken: token }));
      } catch (err) {
        throw storeError(err, this.label, 'list', prefix);
      }
      for (const o of r.Contents ?? []) {
        yield { key: o.Key!.slice(this.prefix.length), size: Number(o.Size ?? 0), etag: (o.ETag ?? '').replace(/"/g, ''), modifiedAt: o.LastModified?.getTime() ?? 0 };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
}

/**
 * `s3://<bucket>[/<prefix>]`. Options: `endpoint` (an S3-compatible service; path-style
 * addressing is used then), `region`, credentials `access_key_id` + `secret_access_key`
 * (else the SDK's default chain).
 */
export async function s3BlobStore(url: URL, o: BlobStoreOptions = {}): Promise<ListableBlobStore> {
  const bucket = url.hostname;
  if (!bucket) throw new LatheError('INVALID_ARGUMENT', `an S3 URL names a bucket: s3://<bucket>[/<prefix>]`);
  const rest = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  const prefix = rest && !rest.endsWith('/') ? `${rest}/` : rest;
  const sdk = await import('@aws-sdk/client-s3');
  const timeout = o.timeoutMs ?? 30_000;
  const id = o.credentials?.access_key_id;
  const secret = o.credentials?.secret_access_key;
  const client = new sdk.S3Client({
    region: o.region ?? 'us-east-1',
    ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}),
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    // Streamed bodies are sent as given; S3-compatible servers mishandle the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(timeout, 5000), requestTimeout: timeout },
  });
  return new S3BlobStore(sdk, client, bucket, prefix, `S3 ${bucket}`);
}
