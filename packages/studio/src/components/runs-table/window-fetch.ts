/**
 * Fetching windows of a run list, with a short-lived prefetch: a header click starts the
 * sorted first page at once, before React has re-rendered the table that will ask for it.
 */
import type { LatheClient } from '@lathe/client';
import type { Run } from '@lathe/contract';

export interface RunsQuery {
  experiment?: string | undefined;
  filter?: string | undefined;
  orderBy?: string | undefined;
}

export const PAGE_SIZE = 100;
const PREFETCH_TTL_MS = 5000;

export function queryKey(ws: string, q: RunsQuery): string {
  return JSON.stringify([ws, q.experiment ?? null, q.filter || null, q.orderBy ?? null]);
}

const prefetched = new Map<string, { at: number; rows: Promise<Run[]> }>();

function load(client: LatheClient, q: RunsQuery, offset: number, limit: number): Promise<Run[]> {
  return client
    .call('listRunWindow', { query: { experiment: q.experiment, filter: q.filter || undefined, order_by: q.orderBy, offset, limit } })
    .then((w) => w.items);
}

/** Start loading the first page of a query now; the table picks it up when it asks. */
export function prefetchFirstPage(client: LatheClient, ws: string, q: RunsQuery): void {
  const key = `${queryKey(ws, q)}:0:${PAGE_SIZE}`;
  const rows = load(client, q, 0, PAGE_SIZE);
  rows.catch(() => undefined);
  prefetched.set(key, { at: Date.now(), rows });
}

export function fetchWindow(client: LatheClient, ws: string, q: RunsQuery, offset: number, limit: number): Promise<Run[]> {
  const key = `${queryKey(ws, q)}:${offset}:${limit}`;
  const hit = prefetched.get(key);
  prefetched.delete(key);
  if (hit && Date.now() - hit.at < PREFETCH_TTL_MS) return hit.rows;
  return load(client, q, offset, limit);
}
