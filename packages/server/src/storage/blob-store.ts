import type { Readable } from 'node:stream';

export interface PutResult {
  size: number;
  sha256: string;
}

/**
 * Where bytes live (artifacts, snapshot blobs). Keys are `/`-separated and already
 * validated by the caller. Every method streams; nothing buffers a whole object.
 */
export interface BlobStore {
  /** Store the stream under key; the object appears whole or not at all. */
  put(key: string, body: Readable): Promise<PutResult>;
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export type BlobStoreFactory = (url: URL) => Promise<BlobStore>;
