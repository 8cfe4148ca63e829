import {
  isErrorCode, LatheError, routes, type OperationId, type RouteDef, type RouteInput, type RouteResponse, type Routes,
} from '@lathe/contract';

export interface ClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:5252 */
  url: string;
  token?: string | undefined;
  /** Filled into `:ws` when a call does not name a workspace. */
  workspace?: string | undefined;
  fetch?: typeof fetch;
  /** How streamed uploads are sent; default fetch. Node callers pass `nodeUploadTransport` (@lathe/client/node). */
  upload?: UploadTransport;
}

/** Sends one upload request and answers with its response. */
export type UploadTransport = (url: string, init: { method: string; headers: Record<string, string>; body: UploadBody }) => Promise<Response>;

type Params<K extends OperationId> = RouteInput<Routes[K]>['params'];
type ParamsWithoutWs<K extends OperationId> = Params<K> extends { ws: string } ? Omit<Params<K>, 'ws'> & { ws?: string } : Params<K>;

/** What a call passes: path params (`ws` optional), query and body as the contract defines them. */
export type CallInput<K extends OperationId> = {
  params?: ParamsWithoutWs<K>;
  query?: RouteInput<Routes[K]>['query'];
  body?: RouteInput<Routes[K]>['body'];
};

/** A request body that streams: web streams, async iterables of bytes (Node Readable), or bytes. */
export type UploadBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array | string;

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** The typed SDK: every operation of the contract's route table, errors rebuilt as LatheError. */
export class LatheClient {
  readonly url: string;
  readonly workspace: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly uploadImpl: UploadTransport | undefined;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.workspace = options.workspace ?? 'default';
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.uploadImpl = options.upload;
  }

  /** The same client aimed at another workspace. */
  inWorkspace(workspace: string): LatheClient {
    return new LatheClient({ url: this.url, token: this.token, workspace, fetch: this.fetchImpl, ...(this.uploadImpl ? { upload: this.uploadImpl } : {}) });
  }

  buildUrl(op: OperationId, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
    const def: RouteDef = routes[op];
    const all: Record<string, unknown> = { ws: this.workspace, ...params };
    const path = def.path.replace(/:([a-zA-Z0-9_]+)/g, (_m, name: string) => {
      const v = all[name];
      if (v === undefined) throw new LatheError('INVALID_ARGUMENT', `${op}: missing path parameter '${name}'`);
      return encodeURIComponent(String(v));
    });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    const s = qs.toString();
    return `${this.url}${path}${s ? `?${s}` : ''}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  private async send(url: string, init: RequestInit, transport: (url: string, init: RequestInit) => Promise<Response> = this.fetchImpl): Promise<Response> {
    let res: Response;
    try {
      res = await transport(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new LatheError('UNAVAILABLE', `cannot reach the Lathe server at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  /** Call a JSON operation. */
  async call<K extends OperationId>(op: K, input: CallInput<K> = {}): Promise<RouteResponse<Routes[K]>> {
    const def: RouteDef = routes[op];
    const url = this.buildUrl(op, input.params as Record<string, unknown>, input.query as Record<string, unknown>);
    const hasBody = def.body !== undefined;
    const res = await this.send(url, {
      method: def.method,
      headers: this.headers(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(hasBody ? { body: JSON.stringify(input.body ?? {}) } : {}),
    });
    return (await res.json()) as RouteResponse<Routes[K]>;
  }

  /** Call an upload operation with a streamed body. */
  async upload<K extends 'uploadArtifact' | 'uploadBlob' | 'uploadBlobStreamed' | 'uploadBlobPack'>(op: K, input: CallInput<K>, body: UploadBody, size?: number): Promise<RouteResponse<Routes[K]>> {
    const url = this.buildUrl(op, input.params as Record<string, unknown>, input.query as Record<string, unknown>);
    const upload = this.uploadImpl;
    const res = await this.send(url, {
      method: routes[op].method,
      headers: this.headers({ 'content-type': 'application/octet-stream', ...(size !== undefined ? { 'content-length': String(size) } : {}) }),
      body: body as RequestInit['body'],
      duplex: 'half',
    } as RequestInit, upload ? (u, init) => upload(u, { method: init.method!, headers: init.headers as Record<string, string>, body }) : undefined);
    return (await res.json()) as RouteResponse<Routes[K]>;
  }

  /** Call a download operation; the caller consumes `response.body` as a stream. */
  async download<K extends 'downloadArtifact' | 'downloadBlob' | 'readLog' | 'downloadDatastoreFile'>(op: K, input: CallInput<K>): Promise<Response> {
    const url = this.buildUrl(op, input.params as Record<string, unknown>, input.query as Record<string, unknown>);
    return this.send(url, { method: 'GET', headers: this.headers() });
  }

  /** Follow a server-sent-event operation until the server ends it or `signal` aborts. */
  async *events<K extends 'streamLog'>(op: K, input: CallInput<K>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
    const url = this.buildUrl(op, input.params as Record<string, unknown>, input.query as Record<string, unknown>);
    const res = await this.send(url, { method: 'GET', headers: this.headers({ accept: 'text/event-stream' }), ...(signal ? { signal } : {}) });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let sep: number;
        while ((sep = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const ev: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'event') ev.event = val;
            else if (field === 'data') data.push(val);
            else if (field === 'id') ev.id = val;
          }
          if (data.length === 0 && ev.event === 'message') continue;
          ev.data = data.join('\n');
          yield ev;
        }
      }
    } finally {
      reader.releaseLock();
      void res.body.cancel().catch(() => undefined);
    }
  }
}

/** Rebuild the typed error from an error response, so callers can say what went wrong. */
async function errorFrom(res: Response): Promise<LatheError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (body.error && isErrorCode(body.error.code) && typeof body.error.message === 'string') {
      return new LatheError(body.error.code, body.error.message, body.error.details);
    }
  } catch {
    // not JSON: fall through
  }
  const code = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'PERMISSION_DENIED' : res.status === 404 ? 'NOT_FOUND' : res.status >= 500 ? 'UNAVAILABLE' : 'INVALID_ARGUMENT';
  return new LatheError(code, `HTTP ${res.status} from ${res.url}: ${text.slice(0, 200)}`);
}
