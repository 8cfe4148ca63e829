import { z } from 'zod';

/** Milliseconds since the epoch, UTC. */
export const Millis = z.number().int().nonnegative();

export const StringMap = z.record(z.string(), z.string());

export const PageQuery = z.object({
  max_results: z.coerce.number().int().min(1).max(10_000).optional(),
  page_token: z.string().optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_page_token: z.string().nullable() });

export const Ok = z.object({ ok: z.literal(true) });
