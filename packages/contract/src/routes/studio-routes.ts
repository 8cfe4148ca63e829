/**
 * Operations the studio needs beyond the public lists: random access into a run list (a
 * virtualised table scrolls to row 50,000 without paging through the 49,900 before it),
 * the size of that list, and the metric/param/tag keys of an experiment (its columns).
 * Filters and order are exactly those of `listRuns`.
 */
import { z } from 'zod';
import { route } from '../route.js';
import { ListRunsQuery, Run } from '../resources/run.js';
import { WS, Ws } from './params.js';

/** `listRuns`' filters and order, addressed by offset instead of a page token. */
export const RunWindowQuery = ListRunsQuery.omit({ page_token: true, max_results: true }).extend({
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type RunWindowQuery = z.infer<typeof RunWindowQuery>;

export const RunWindow = z.object({ offset: z.number().int(), items: z.array(Run) });
export type RunWindow = z.infer<typeof RunWindow>;

export const RunCountQuery = ListRunsQuery.omit({ page_token: true, max_results: true, order_by: true });
export const RunCount = z.object({ count: z.number().int() });

export const ExperimentKeys = z.object({
  metrics: z.array(z.string()),
  params: z.array(z.string()),
  tags: z.array(z.string()),
});
export type ExperimentKeys = z.infer<typeof ExperimentKeys>;

export const studioRoutes = {
  listRunWindow: route({ method: 'GET', path: `${WS}/studio/runs`, tag: 'studio', summary: 'A window of a run list by offset (the filters and order of listRuns), for virtualised tables.', params: Ws, query: RunWindowQuery, response: RunWindow }),
  countRuns: route({ method: 'GET', path: `${WS}/studio/runs/count`, tag: 'studio', summary: 'How many runs match listRuns\' filters.', params: Ws, query: RunCountQuery, response: RunCount }),
  getExperimentKeys: route({ method: 'GET', path: `${WS}/studio/experiments/:name/keys`, tag: 'studio', summary: 'The metric, param and tag keys the runs of an experiment have logged (the columns of its runs table).', params: z.object({ ws: z.string(), name: z.string() }), response: ExperimentKeys }),
} as const;
