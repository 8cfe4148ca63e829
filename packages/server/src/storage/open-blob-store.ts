import { pickByScheme } from '../scheme-registry.js';
import type { BlobStore, BlobStoreFactory, BlobStoreOptions } from './blob-store.js';

export async function openBlobStore(url: string, factories: Record<string, BlobStoreFactory>, options?: BlobStoreOptions): Promise<BlobStore> {
  const picked = pickByScheme(url, factories, 'blob store');
  return picked.factory(picked.url, options);
}
