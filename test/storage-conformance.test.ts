/** Every blob store implementation runs the one conformance suite: local disk, Azurite and s3rver, started here on free ports. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runBlobStoreConformance } from './storage/blob-store-conformance.js';
import { localBlobStore } from '../packages/server/src/storage/local/local-blob-store.js';
import { azureBlobStore } from '../packages/server/src/storage/azure-blob/azure-blob-store.js';
import { s3BlobStore } from '../packages/server/src/storage/s3/s3-blob-store.js';
import { AZURITE_KEY, S3RVER_KEY_ID, S3RVER_SECRET, startAzurite, startS3rver, type Emulator } from './support/storage-emulators.js';

const dir = mkdtempSync(join(tmpdir(), 'lathe-local-store-'));
let azurite: Emulator;
let s3: Emulator;
beforeAll(async () => {
  [azurite, s3] = await Promise.all([startAzurite(), startS3rver(['conformance'])]);
  const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  await new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential('devstoreaccount1', AZURITE_KEY)).getContainerClient('conformance').createIfNotExists();
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), s3?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

runBlobStoreConformance('local disk', () => localBlobStore(pathToFileURL(dir)));
runBlobStoreConformance('Azure Blob (Azurite)', () => azureBlobStore(new URL('azblob://devstoreaccount1/conformance/some/prefix'), { endpoint: azurite.endpoint, credentials: { account_key: AZURITE_KEY } }));
runBlobStoreConformance('S3 (s3rver)', () => s3BlobStore(new URL('s3://conformance/some/prefix'), { endpoint: s3.endpoint, credentials: { access_key_id: S3RVER_KEY_ID, secret_access_key: S3RVER_SECRET } }));
