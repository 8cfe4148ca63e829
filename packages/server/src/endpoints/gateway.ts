import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveEndpoint } from './live-endpoint.js';
import type { LiveDeployment } from './live-deployment.js';
import type { Outcome } from './telemetry.js';

export interface GatewayOptions {
  endpoint: (name: string) => LiveEndpoint | undefined;
  /** Whether a bearer token is a Lathe token with read access to the workspace. */
  latheTokenAllows: (authorization: string, wsName: string) => Promise<boolean>;
  /** Optional sampling of request/response bodies (the data collector). */
  collect?: (endpoint: LiveEndpoint, deployment: LiveDeployment, request: Buffer, status: number, response: Buffer) => void;
  bodyLimit: number;
}

const DEPLOYMENT_HEADER = 'azureml-model-deployment';
const EMPTY = Buffer.alloc(0);

function errorBody(message: string): string {
  return JSON.stringify({ message });
}

function keyMatches(presented: Buffer, keys: readonly Buffer[]): boolean {
  let ok = false;
  for (const k of keys) if (k.length === presented.length && timingSafeEqual(k, presented)) ok = true;
  return ok;
}

/** Weighted choice over the live routes, or the deployment the header pins. */
function chooseDeployment(ep: LiveEndpoint, pinned: string | undefined): LiveDeployment | string {
  if (pinned) return ep.deployments.get(pinned) ?? `deployment '${pinned}' (from the ${DEPLOYMENT_HEADER} header) not found in endpoint '${ep.name}'`;
  const routes = ep.routes;
  if (routes.length === 0) return `No valid deployments to route to in endpoint '${ep.name}': give one a positive traffic weight or name it in the ${DEPLOYMENT_HEADER} header`;
  const r = Math.random() * 100;
  for (const route of routes) if (r < route.upTo) return route.deployment;
  return routes[routes.length - 1]!.deployment;
}

/**
 * The scoring gateway: `POST /endpoints/{name}/score` (and the same under a workspace).
 * Registered in its own Fastify scope so request bodies arrive raw, whatever their
 * content type: run() receives exactly what the client sent.
 */
export async function registerGateway(app: FastifyInstance, o: GatewayOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (_req, body, done) => done(null, body));

    const score = async (request: FastifyRequest<{ Params: { name: string; ws?: string } }>, reply: FastifyReply) => {
      const ep = o.endpoint(request.params.name);
      if (!ep || (request.params.ws !== undefined && request.params.ws !== ep.wsName)) {
        return reply.code(404).type('application/json').send(errorBody(`online endpoint '${request.params.name}' not found`));
      }
      const auth = request.headers.authorization;
      if (!auth) return reply.code(401).type('application/json').send(errorBody('missing Authorization header: use "Bearer <endpoint key>" or a Lathe token'));
      const presented = auth.startsWith('Bearer ') ? Buffer.from(auth.slice(7)) : Buffer.from(auth);
      if (!(ep.authMode === 'key' && keyMatches(presented, ep.keys)) && !(await o.latheTokenAllows(auth, ep.wsName))) {
        return reply.code(401).type('application/json').send(errorBody(ep.authMode === 'key' ? 'invalid endpoint key or token' : 'invalid token (this endpoint uses auth_mode aml_token)'));
      }
      const pinned = request.headers[DEPLOYMENT_HEADER];
      const chosen = chooseDeployment(ep, typeof pinned === 'string' && pinned ? pinned : undefined);
      if (typeof chosen === 'string') return reply.code(404).type('application/json').send(errorBody(chosen));
      const body = (request.body as Buffer | undefined) ?? EMPTY;

      const mirror = ep.mirror;
      if (mirror && !pinned && Math.random() * 100 < mirror.percent) {
        const pool = mirror.deployment.pool;
        // A copy whose answer nobody reads; it never takes a slot the live traffic needs elsewhere.
        if (pool) {
          mirror.deployment.stats.mirrored++;
          const t0 = performance.now();
          void pool.score(body).then((out) => {
            const status = out.kind === 'reply' ? out.reply.status : out.kind === 'throttled' ? 429 : out.kind === 'timeout' ? 408 : 503;
            mirror.deployment.stats.record(status, status < 400 ? 'ok' : status === 429 ? 'throttled' : status === 408 ? 'timeout' : 'error', performance.now() - t0);
          });
        }
      }

      const t0 = performance.now();
      const pool = chosen.pool;
      reply.header(DEPLOYMENT_HEADER, chosen.name);
      let status: number;
      let outcome: Outcome;
      let payload: Buffer | string;
      if (!pool) {
        status = 503;
        outcome = 'error';
        payload = errorBody(`deployment '${chosen.name}' has no ready replicas yet`);
      } else {
        const out = await pool.score(body);
        switch (out.kind) {
          case 'reply':
            status = out.reply.status;
            payload = out.reply.body;
            outcome = status >= 500 ? 'error' : 'ok';
            break;
          case 'throttled':
            status = 429;
            outcome = 'throttled';
            payload = errorBody(`deployment '${chosen.name}' is at max_concurrent_requests_per_instance on every replica; retry later`);
            break;
          case 'unavailable':
            status = 503;
            outcome = 'error';
            payload = errorBody(`deployment '${chosen.name}' has no ready replicas (restarting)`);
            break;
          case 'timeout':
            status = 408;
            outcome = 'timeout';
            payload = errorBody(`request exceeded request_timeout_ms (${chosen.requestTimeoutMs} ms); the worker was recycled`);
            break;
          case 'crashed':
            status = 502;
            outcome = 'error';
            payload = errorBody(`the scoring worker failed while handling the request: ${out.message}`);
            break;
        }
      }
      chosen.stats.record(status, outcome, performance.now() - t0);
      if (o.collect && chosen.samplingRate > 0 && Math.random() < chosen.samplingRate) o.collect(ep, chosen, body, status, Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
      return reply.code(status).type('application/json').send(payload);
    };

    scope.post('/endpoints/:name/score', score);
    scope.post('/api/v1/workspaces/:ws/endpoints/:name/score', score);
    // Probes, per deployment (no auth, as Azure ML's container probes): alive = a worker process runs; ready = one answers.
    scope.get('/endpoints/:name/deployments/:deployment/:probe', async (request: FastifyRequest<{ Params: { name: string; deployment: string; probe: string } }>, reply) => {
      const { name, deployment, probe } = request.params;
      const d = o.endpoint(name)?.deployments.get(deployment);
      if (!d || (probe !== 'liveness' && probe !== 'readiness')) return reply.code(404).send({ message: 'not found' });
      const replicas = d.pool?.replicas ?? [];
      const ok = probe === 'liveness' ? replicas.some((r) => r.worker?.alive) : (d.pool?.readyCount ?? 0) > 0;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', replicas: replicas.length, ready: d.pool?.readyCount ?? 0 });
    });
  });
}
