import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LatheError } from '@lathe/contract';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that belong to APIs: never answered with the app, so a wrong API URL stays a JSON 404. */
const API_PREFIXES = ['/api/', '/ajax-api/', '/health'];
/** The app's own first path segments: always the app, even when a name has a dot (an experiment `v1.2`). */
const APP_PREFIXES = ['w', 'signin'];

/**
 * The page's security policy: scripts and connections to this origin only; images may be
 * blob: URLs (artifact previews); inline styles are needed by the chart library.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export type StudioPath =
  | { kind: 'file'; file: string }
  | { kind: 'app' }
  | { kind: 'api' }
  | { kind: 'missing' };

/**
 * Map a request path to what answers it, never leaving `root`: a file under it, the app's
 * index.html (client-side routes such as /w/default/runs/x), or nothing. Pure, so it is
 * tested on literal strings; the caller still checks the resolved file's real path.
 */
export function resolveStudioPath(root: string, urlPath: string): StudioPath {
  const pathOnly = urlPath.split('?')[0]!.split('#')[0]!;
  if (API_PREFIXES.some((p) => pathOnly === p.replace(/\/$/, '') || pathOnly.startsWith(p))) return { kind: 'api' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    return { kind: 'missing' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'missing' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { kind: 'missing' };
  if (segments.length === 0 || APP_PREFIXES.includes(segments[0]!)) return { kind: 'app' };
  const base = resolve(root);
  const file = resolve(base, ...segments);
  if (!file.startsWith(base + sep)) return { kind: 'missing' };
  // Elsewhere a path with an extension names a file (a missing asset is a 404, not the
  // app); one without is a client-side route.
  return extname(segments[segments.length - 1]!) ? { kind: 'file', file } : { kind: 'app' };
}

async function regularFileWithin(root: string, file: string): Promise<{ real: string; size: number } | undefined> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(file)]);
    if (!real.startsWith(realRoot + sep)) return undefined;
    const st = await stat(real);
    return st.isFile() ? { real, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

function commonHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY');
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Lathe</title>
<body style="font:15px system-ui;margin:3rem;max-width:40rem">
<h1>The Lathe studio is not built</h1>
<p>The server is running and its API answers under <code>/api/v1</code>, but it found no built
studio to serve. From the repository, run <code>npm run build</code>, then reload this page.</p>`;

/**
 * Serve the studio's built files at `/`, with every other non-API path answered by the
 * app's index.html so deep links work. Registered as the catch-all GET route: the API's
 * own routes are more specific and always win.
 */
export function registerStudio(app: FastifyInstance, studioDir: string): void {
  const root = resolve(studioDir);
  const indexFile = join(root, 'index.html');
  // index.html is small and asked for on every deep link: kept in memory, read again when
  // a new build replaced it (its asset names change with every build).
  let cached: { mtimeMs: number; html: Buffer } | undefined;
  const loadIndex = async (): Promise<Buffer | undefined> => {
    const st = await stat(indexFile).catch(() => undefined);
    if (!st) return undefined;
    if (cached?.mtimeMs !== st.mtimeMs) cached = { mtimeMs: st.mtimeMs, html: await readFile(indexFile) };
    return cached.html;
  };

  app.get('/*', async (request, reply) => {
    const target = resolveStudioPath(root, request.url);
    if (target.kind === 'api') throw new LatheError('NOT_FOUND', `no route GET ${request.url.split('?')[0]}`);
    if (target.kind === 'missing') throw new LatheError('NOT_FOUND', `no studio file ${request.url.split('?')[0]}`);
    if (target.kind === 'file') {
      const found = await regularFileWithin(root, target.file);
      if (!found) throw new LatheError('NOT_FOUND', `no studio file ${request.url.split('?')[0]}`);
      const hashed = found.real.startsWith(join(root, 'assets') + sep);
      return commonHeaders(reply)
        .header('content-type', CONTENT_TYPES[extname(found.real).toLowerCase()] ?? 'application/octet-stream')
        .header('content-length', found.size)
        // Vite names assets by content hash: they never change, so browsers keep them.
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(createReadStream(found.real));
    }
    const html = await loadIndex();
    return commonHeaders(reply)
      .status(html ? 200 : 503)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(html ?? NOT_BUILT);
  });
}
