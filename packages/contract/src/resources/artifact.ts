import { z } from 'zod';
import { Millis } from './common.js';

export const Artifact = z.object({
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  created_at: Millis,
});
export type Artifact = z.infer<typeof Artifact>;

export const ArtifactQuery = z.object({ path: z.string().min(1) });

export const ArtifactListQuery = z.object({
  prefix: z.string().optional(),
  max_results: z.coerce.number().int().min(1).max(10_000).optional(),
  page_token: z.string().optional(),
});
