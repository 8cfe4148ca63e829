import { LatheError } from '@lathe/contract';

/**
 * Turn an object-store SDK's error into Lathe's: a missing object is NOT_FOUND, refused
 * credentials PERMISSION_DENIED, a network failure or timeout UNAVAILABLE. The message
 * names the store and the operation; never a credential.
 */
export function storeError(err: unknown, store: string, op: string, key: string): LatheError {
  if (err instanceof LatheError) return err;
  const e = err as { statusCode?: number; $metadata?: { httpStatusCode?: number }; code?: string; name?: string; message?: string };
  const status = e.statusCode ?? e.$metadata?.httpStatusCode;
  const what = `${store}: ${op} ${key || '(root)'}`;
  if (status === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound' || e.code === 'BlobNotFound') return new LatheError('NOT_FOUND', `${what}: not found`);
  if (status === 401 || status === 403) return new LatheError('PERMISSION_DENIED', `${what}: the storage service refused the credentials (HTTP ${status}${e.code ? ` ${e.code}` : e.name ? ` ${e.name}` : ''})`);
  const net = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'REQUEST_SEND_ERROR', 'TimeoutError', 'AbortError'];
  if (net.includes(e.code ?? '') || net.includes(e.name ?? '') || /timed? ?out|ECONNREFUSED|ENOTFOUND|socket hang up|aborted/i.test(e.message ?? '')) {
    return new LatheError('UNAVAILABLE', `${what}: the storage endpoint is unreachable (${e.code ?? e.name ?? 'network error'}: ${(e.message ?? '').split('\n')[0]})`);
  }
  if (status === 400 && /container|bucket/i.test(e.message ?? '')) return new LatheError('FAILED_PRECONDITION', `${what}: ${(e.message ?? '').split('\n')[0]}`);
  return new LatheError('UNAVAILABLE', `${what}: ${status ? `HTTP ${status}: ` : ''}${(e.message ?? String(err)).split('\n')[0]}`);
}

/** The error every store throws when `put`'s bytes do not hash to `PutOptions.sha256`. */
export function contentMismatch(store: string, key: string, got: string, want: string): LatheError {
  return new LatheError('INVALID_ARGUMENT', `${store}: upload ${key}: the content hashes to ${got}, not ${want}; nothing was stored`);
}
