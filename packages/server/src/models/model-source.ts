/**
 * Where a model version's files live when they come from a run. Every form that names a
 * run's files resolves to (run, artifact prefix); anything else is kept as a plain URI.
 */
export interface RunFiles {
  runId: string;
  /** Artifact path prefix inside the run ('' for all of it). */
  path: string;
}

const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');

export function parseRunSource(uri: string): RunFiles | null {
  let m = /^runs:\/([^/]+)\/?(.*)$/.exec(uri);
  if (m) return { runId: m[1]!, path: trim(m[2]!) };
  // MLflow's proxied artifact URIs: mlflow-artifacts:/<experiment>/<run>/artifacts/<path>
  m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/[^/]+\/([^/]+)\/artifacts\/?(.*)$/.exec(uri);
  if (m) return { runId: m[1]!, path: trim(m[2]!) };
  // Azure ML job outputs: azureml://jobs/<job>/outputs/<name>/paths/<p>; `artifacts` is the default output
  m = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/?(.*))?$/.exec(uri);
  if (m) {
    const rest = trim(m[3] ?? '');
    const prefix = m[2] === 'artifacts' ? '' : `named-outputs/${m[2]}`;
    return { runId: m[1]!, path: [prefix, rest].filter(Boolean).join('/') };
  }
  // The default datastore holds named outputs at azureml/<job>/<output>/…, as in Azure ML.
  m = /^azureml:\/\/datastores\/workspaceblobstore\/paths\/azureml\/([^/]+)\/([^/]+)\/?(.*)$/.exec(uri);
  if (m) return { runId: m[1]!, path: [`named-outputs/${m[2]}`, trim(m[3]!)].filter(Boolean).join('/') };
  m = /^lathe:\/\/workspaces\/[^/]+\/runs\/([^/]+)\/artifacts\/?(.*)$/.exec(uri);
  if (m) return { runId: m[1]!, path: trim(m[2]!) };
  return null;
}
