import { z } from 'zod';
import { Millis } from './common.js';

/**
 * A metric value on the wire. JSON has no NaN or infinities, so, as MLflow's protobuf
 * JSON does, they travel as the strings "NaN", "Infinity" and "-Infinity".
 */
// Literals rather than z.enum: the emitted declaration of an enum with a '-Infinity' member is broken.
export const MetricValue = z.union([z.number(), z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity')]);
export type MetricValue = z.infer<typeof MetricValue>;

export const MetricPoint = z.object({
  key: z.string().min(1).max(250),
  value: MetricValue,
  step: z.number().int().optional(),
  timestamp: Millis.optional(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const KeyValue = z.object({ key: z.string().min(1).max(250), value: z.string().max(8000) });

export const LogBatch = z.object({
  metrics: z.array(MetricPoint).max(10_000).default([]),
  params: z.array(KeyValue).max(1000).default([]),
  tags: z.array(KeyValue).max(1000).default([]),
  /** A retry that carries the same key is acknowledged without being stored twice. */
  idempotency_key: z.string().min(1).max(128).optional(),
});
export type LogBatch = z.infer<typeof LogBatch>;

export const LogBatchResult = z.object({ stored_metrics: z.number().int(), duplicate: z.boolean() });

export const LatestMetric = z.object({ value: MetricValue, step: z.number().int(), timestamp: Millis });
export type LatestMetric = z.infer<typeof LatestMetric>;

export const HistoryQuery = z.object({
  key: z.string().min(1),
  max_results: z.coerce.number().int().min(1).max(100_000).optional(),
  page_token: z.string().optional(),
});

export const HistoryPoint = z.object({ step: z.number().int(), value: MetricValue, timestamp: Millis });
export const MetricHistory = z.object({
  key: z.string(),
  points: z.array(HistoryPoint),
  next_page_token: z.string().nullable(),
});

export const SeriesQuery = z.object({
  key: z.string().min(1),
  buckets: z.coerce.number().int().min(1).max(10_000).default(1000),
  min_step: z.coerce.number().int().optional(),
  max_step: z.coerce.number().int().optional(),
});

/** One bucket of a downsampled series: enough to draw a min/max band and the line. */
export const SeriesBucket = z.object({
  step_start: z.number().int(),
  step_end: z.number().int(),
  count: z.number().int(),
  min: MetricValue,
  max: MetricValue,
  last: MetricValue,
  last_step: z.number().int(),
  last_timestamp: Millis,
});
export type SeriesBucket = z.infer<typeof SeriesBucket>;

export const MetricSeries = z.object({
  key: z.string(),
  total_points: z.number().int(),
  min_step: z.number().int().nullable(),
  max_step: z.number().int().nullable(),
  buckets: z.array(SeriesBucket),
});
export type MetricSeries = z.infer<typeof MetricSeries>;

export const MetricKeys = z.object({ keys: z.array(z.string()) });
