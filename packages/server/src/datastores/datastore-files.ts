import type { Readable } from 'node:stream';
import { invalid, type DatastoreFile } from '@lathe/contract';

/** What a datastore offers the data area: list files under a prefix and read one. */
export interface DatastoreFiles {
  /** Every file under `prefix` (a path relative to the datastore's root). */
  list(prefix: string): Promise<DatastoreFile[]>;
  /** One file's bytes. */
  open(path: string): Promise<Readable>;
}

/** Reject what could leave the datastore's root: absolute paths, `..`, backslashes, empty segments. */
export function checkDataPath(path: string, what: string): string {
  const p = path.replace(/^\/+/, '');
  if (p.includes('\\') || p.includes('\0') || p.split('/').some((seg, i, all) => seg === '..' || seg === '.' || (seg === '' && i < all.length - 1))) {
    throw invalid(`${what}: '${path}' is not a safe datastore path (no '..', '.', '\\' or empty segments)`);
  }
  return p;
}
