import type { JobSubmission, Run } from '@lathe/contract';
import type { AgentConfig } from './agent-config.js';
import { activateEnvironment, type PreparedEnvironment } from './environments/prepare-environment.js';

/** Agent-internal variables the job does not need to see. */
const INTERNAL = ['LATHE_WORK_ROOT', 'LATHE_CACHE_DIR', 'LATHE_PYTHON_PATH', 'LATHE_HEARTBEAT_MS', 'LATHE_KILL_GRACE_MS', 'LATHE_KEEP_RUN_DIRS', 'LATHE_ENV_CACHE_DIR', 'LATHE_ENV_CACHE_MAX_GB', 'LATHE_ENV_CACHE_MAX_AGE_DAYS', 'LATHE_ENV_BUILD_TIMEOUT_S'];

const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/**
 * The job's environment: the node's, the job's own variables, and what Lathe, MLflow and
 * Azure ML scripts expect to find (run id, tracking URI and token, input/output paths).
 */
export function jobEnvironment(c: AgentConfig, run: Run, job: JobSubmission, paths: { inputs: Record<string, string>; outputs: Record<string, string> }, environment?: PreparedEnvironment | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.baseEnv)) if (v !== undefined && !INTERNAL.includes(k)) env[k] = v;
  if (environment) Object.assign(env, environment.variables);
  Object.assign(env, job.environment_variables);
  for (const [name, p] of Object.entries(paths.inputs)) env[`AZURE_ML_INPUT_${envName(name)}`] = p;
  for (const [name, p] of Object.entries(paths.outputs)) env[`AZURE_ML_OUTPUT_${envName(name)}`] = p;
  Object.assign(env, {
    LATHE_RUN_ID: run.id,
    LATHE_API_URL: c.apiUrl,
    LATHE_WORKSPACE: c.workspace,
    LATHE_RUN_TOKEN: c.token,
    MLFLOW_TRACKING_URI: c.apiUrl,
    MLFLOW_RUN_ID: run.id,
    MLFLOW_EXPERIMENT_ID: run.experiment_id,
    MLFLOW_TRACKING_TOKEN: c.token,
    AZUREML_RUN_ID: run.id,
    AZUREML_EXPERIMENT_ID: run.experiment_id,
    PYTHONUNBUFFERED: '1',
  });
  if (c.pythonPath) env.PYTHONPATH = env.PYTHONPATH ? `${c.pythonPath}:${env.PYTHONPATH}` : c.pythonPath;
  if (environment) activateEnvironment(env, environment);
  return env;
}
