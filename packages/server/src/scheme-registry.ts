import { LatheError } from '@lathe/contract';

/**
 * Backends are picked by URL scheme from a registry the composition root builds.
 * An unknown scheme is an error that lists the known ones.
 */
export function pickByScheme<F>(url: string, factories: Record<string, F>, what: string): { factory: F; url: URL } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LatheError('INVALID_ARGUMENT', `'${url}' is not a valid ${what} URL`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const factory = factories[scheme];
  if (factory === undefined) {
    throw new LatheError('INVALID_ARGUMENT', `unknown ${what} scheme '${scheme}' in ${url}; known: ${Object.keys(factories).join(', ')}`);
  }
  return { factory, url: parsed };
}
