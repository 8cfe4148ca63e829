import { z } from 'zod';
import { Millis } from './common.js';

export const COMPUTE_TYPES = ['local'] as const;

export const CreateCompute = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,31}$/, 'a compute name starts with a letter and has letters, digits and "-" (at most 32 characters)'),
  type: z.enum(COMPUTE_TYPES).default('local'),
  slots: z.number().int().min(1).max(1024).optional(),
  description: z.string().optional(),
});

export const Compute = z.object({
  name: z.string(),
  type: z.enum(COMPUTE_TYPES),
  slots: z.number().int(),
  slots_in_use: z.number().int(),
  queued: z.number().int(),
  description: z.string().nullable(),
  created_at: Millis,
});
export type Compute = z.infer<typeof Compute>;
