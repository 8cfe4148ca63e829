import { z } from 'zod';
import { Millis, StringMap } from './common.js';

export const Experiment = z.object({
  id: z.string(),
  name: z.string(),
  created_at: Millis,
  last_update_time: Millis,
  lifecycle_stage: z.enum(['active', 'deleted']),
  tags: StringMap,
});
export type Experiment = z.infer<typeof Experiment>;

export const CreateExperiment = z.object({ name: z.string().min(1).max(500), tags: StringMap.optional() });
