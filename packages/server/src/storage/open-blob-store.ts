import { pickByScheme } from '../scheme-registry.js';
import type { BlobStore, BlobStoreFactory } from './blob-store.js';

export async function openBlobStore(url: string, factories: Record<string, BlobStoreFactory>): Promise<BlobStore> {
  const picked = pickByScheme(url, factories, 'blob store');
  return picked.factory(picked.url);
}
