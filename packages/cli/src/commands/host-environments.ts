import { join } from 'node:path';
import type { PrepareHostEnvironment } from '@lathe/server';
import type { EnvironmentCache } from '@lathe/agent';

/**
 * Online deployments' environments are built on the server host with the agent's own
 * builder and cache (the same folder agents on this host use), so a deployment naming
 * `azureml:sklearn-env@latest` gets exactly what a job naming it gets. Loaded lazily.
 */
export function hostEnvironmentPreparer(env: NodeJS.ProcessEnv, workRoot: string): PrepareHostEnvironment {
  let cache: EnvironmentCache | undefined;
  return async (resolved, o) => {
    const agent = await import('@lathe/agent');
    cache ??= new agent.EnvironmentCache(agent.environmentConfigFromEnv(env, workRoot));
    const prepared = await agent.prepareEnvironment(resolved, cache, {
      runId: o.label,
      log: { note: o.log, write: (chunk) => o.log(chunk.trimEnd()) },
      workingDir: o.workingDir,
    });
    if (!prepared) return null;
    return {
      apply: (e) => {
        Object.assign(e, prepared.variables);
        agent.activateEnvironment(e, prepared);
      },
      python: prepared.virtualEnv ? join(prepared.virtualEnv, 'bin', 'python') : null,
      release: () => prepared.release(),
    };
  };
}
