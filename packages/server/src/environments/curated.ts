/**
 * Curated environments shipped with Lathe, and the alias map that sends Azure ML's
 * curated names to them, so Azure ML example YAML runs unchanged. Users extend (or
 * override) the aliases in the server's alias file (see alias-map.ts).
 */
import type { EnvironmentDefinition } from '@lathe/contract';

export interface CuratedEnvironment {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly definition: EnvironmentDefinition;
}

export const CURATED_ENVIRONMENTS: readonly CuratedEnvironment[] = [
  {
    name: 'lathe-python',
    version: 1,
    description: "Plain Python 3 in its own venv (the node's /usr/bin/python3 when present): the standard library only.",
    definition: { system_site_packages: false },
  },
  {
    name: 'lathe-sklearn',
    version: 1,
    description:
      "scikit-learn, NumPy, SciPy and pandas from the system site packages of /usr/bin/python3, in a venv " +
      '(on Debian/Ubuntu nodes: apt install python3-venv python3-sklearn python3-pandas).',
    definition: { python: '/usr/bin/python3', system_site_packages: true },
  },
  {
    name: 'lathe-node',
    version: 1,
    description: "Node.js (the node's own) with an empty npm package folder; create your own environment with an `npm:` key to add packages.",
    definition: { npm: {} },
  },
];

/**
 * Azure ML curated environment names → Lathe references. Both the workspace form
 * (`AzureML-sklearn-1.5`) and the registry form (`sklearn-1.5`, as in
 * `azureml://registries/azureml/environments/sklearn-1.5/labels/latest`) are listed.
 */
export const SHIPPED_ALIASES: Readonly<Record<string, string>> = {
  'AzureML-sklearn-1.5': 'lathe-sklearn',
  'sklearn-1.5': 'lathe-sklearn',
  'AzureML-sklearn-1.1': 'lathe-sklearn',
  'sklearn-1.1': 'lathe-sklearn',
  'AzureML-sklearn-1.0': 'lathe-sklearn',
  'sklearn-1.0': 'lathe-sklearn',
  'AzureML-sklearn-1.0-ubuntu20.04-py38-cpu': 'lathe-sklearn',
  'AzureML-sklearn-0.24-ubuntu18.04-py37-cpu': 'lathe-sklearn',
  'AzureML-sklearn-0.24.1-ubuntu18.04-py37-cpu-inference': 'lathe-sklearn',
  'AzureML-minimal-ubuntu22.04-py39-cpu-inference': 'lathe-python',
  'minimal-ubuntu22.04-py39-cpu-inference': 'lathe-python',
  'AzureML-minimal-ubuntu20.04-py38-cpu-inference': 'lathe-python',
  'minimal-ubuntu20.04-py38-cpu-inference': 'lathe-python',
  'AzureML-Minimal': 'lathe-python',
};
