import type { Readable } from 'node:stream';

export interface PutResult {
  size: number;
  sha256: string;
}

export interface PutOptions {
  /**
   * The sha256 the bytes must hash to. The store checks it before the object becomes
   * visible: on a mismatch `put` throws INVALID_ARGUMENT and nothing is stored under the
   * key (a content-addressed key must never name other bytes, not even for a moment).
   */
  sha256?: string | undefined;
}

/**
 * Where bytes live (artifacts, snapshot blobs). Keys are `/`-separated and already
 * validated by the caller. Every method streams; nothing buffers a whole object.
 */
export interface BlobStore {
  /** Store the stream under key; the object appears whole or not at all. */
  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Give the object at `from` the key `to` (replacing any object there) and remove `from`.
   * Inside the store: a rename on disk, a server-side copy in object stores, so no bytes
   * travel through Lathe. It lets an upload be stored before its content address is known.
   */
  move(from: string, to: string): Promise<void>;
}

/** One object under a prefix, as listing reports it. */
export interface BlobEntry {
  /** The key relative to the store's root. */
  key: string;
  size: number;
  /** Changes whenever the content does (an HTTP ETag, or size + mtime for files). */
  etag: string;
  modifiedAt: number;
}

/**
 * An optional capability: listing and stat. Datastores need it; the server's own
 * content-addressed blob store does not. Check with `isListable`.
 */
export interface ListableBlobStore extends BlobStore {
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<BlobEntry>;
  /** One object's entry, or null when there is none. */
  stat(key: string): Promise<BlobEntry | null>;
}

export function isListable(store: BlobStore): store is ListableBlobStore {
  return typeof (store as Partial<ListableBlobStore>).list === 'function' && typeof (store as Partial<ListableBlobStore>).stat === 'function';
}

/**
 * What a factory may need beyond the URL: credentials (never in URLs or logs), a service
 * endpoint, a region, and how long a request may take before the store gives up.
 */
export interface BlobStoreOptions {
  credentials?: Readonly<Record<string, string>> | undefined;
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Per request, so an unreachable endpoint fails in seconds rather than hanging. */
  timeoutMs?: number | undefined;
}

export type BlobStoreFactory = (url: URL, options?: BlobStoreOptions) => Promise<BlobStore>;
