import { invalid } from './errors.js';

/** A reference to a versioned asset as Azure ML writes it. */
export interface AssetRef {
  name: string;
  /** A version number, `latest`, or `@alias`: what the server's `:version` route accepts. */
  version: string;
}

/**
 * Read `azureml:name:version`, `azureml:name@latest` (or `name@label`), or a plain
 * `name` (meaning latest). Returns null for anything that is not an asset reference
 * (a path, an azureml:// URI).
 */
export function parseAssetRef(ref: string): AssetRef | null {
  if (ref.startsWith('azureml://')) return null;
  const body = ref.startsWith('azureml:') ? ref.slice('azureml:'.length) : null;
  if (body === null) return null;
  const at = /^([^:@/]+)@([\w-]+)$/.exec(body);
  if (at) return { name: at[1]!, version: at[2] === 'latest' ? 'latest' : `@${at[2]}` };
  const colon = /^([^:@/]+)(?::(\d+))?$/.exec(body);
  if (colon) return { name: colon[1]!, version: colon[2] ?? 'latest' };
  throw invalid(`'${ref}' is not an asset reference: use azureml:<name>:<version> or azureml:<name>@latest`);
}
