import { z } from 'zod';
import { Millis } from './common.js';

export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** `${{secrets.NAME}}`: how jobs and datastores refer to a secret (whole value). */
export const SECRET_REF_PATTERN = /^\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_.-]{0,127})\s*\}\}$/;

/** The name a `${{secrets.NAME}}` reference points at, or null when the value is not one. */
export function secretRefName(value: string): string | null {
  return SECRET_REF_PATTERN.exec(value)?.[1] ?? null;
}

/** What the API says about a secret: never its value. */
export const SecretInfo = z.object({
  name: z.string(),
  version: z.number().int(),
  created_at: Millis,
  updated_at: Millis,
  user: z.string(),
});
export type SecretInfo = z.infer<typeof SecretInfo>;

/** At most 64 KiB; sent in a request body, never a URL or a command line. */
export const SetSecret = z.object({ value: z.string().min(1).max(64 * 1024) });

/** The values a run's agent injects into the job's environment (only for its own run). */
export const RunSecrets = z.object({ values: z.record(z.string(), z.string()) });

export const KeyRotation = z.object({ key_id: z.string(), reencrypted: z.number().int() });
