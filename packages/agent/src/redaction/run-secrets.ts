import type { LatheClient } from '@lathe/client';
import { secretRefName, type JobSubmission } from '@lathe/contract';

/**
 * The job's `${{secrets.NAME}}` environment variables with their values, fetched with the
 * run's own token (the server gives them to no one else). Empty when the job uses none.
 */
export async function fetchRunSecrets(client: LatheClient, runId: string, job: JobSubmission): Promise<Record<string, string>> {
  if (!Object.values(job.environment_variables).some((v) => secretRefName(v) !== null)) return {};
  return (await client.call('getRunSecrets', { params: { run: runId } })).values;
}
