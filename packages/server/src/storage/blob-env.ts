import type { BlobStoreOptions } from './blob-store.js';

/**
 * Options for the server's own blob store when it is Azure Blob or S3, from the server's
 * environment (read at the edge, in the composition root): `AZURE_STORAGE_KEY` or
 * `AZURE_STORAGE_SAS_TOKEN`, `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
 * and `LATHE_BLOB_ENDPOINT` (an Azurite or S3-compatible service URL).
 */
export function blobOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): BlobStoreOptions {
  const credentials: Record<string, string> = {};
  const pick = (k: string, from: string) => {
    if (env[from]) credentials[k] = env[from];
  };
  pick('account_key', 'AZURE_STORAGE_KEY');
  pick('sas_token', 'AZURE_STORAGE_SAS_TOKEN');
  pick('access_key_id', 'AWS_ACCESS_KEY_ID');
  pick('secret_access_key', 'AWS_SECRET_ACCESS_KEY');
  return { credentials, endpoint: env.LATHE_BLOB_ENDPOINT, region: env.AWS_REGION };
}
