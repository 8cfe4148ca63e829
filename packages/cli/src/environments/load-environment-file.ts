import { dirname, resolve } from 'node:path';
import { EnvironmentYaml, type EnvironmentDefinition } from '@lathe/contract';
import { loadSpecFile } from '../job-file/load-spec-file.js';
import { inlineEnvironmentFiles } from './environment-files.js';

/**
 * Read an Azure ML environment YAML (`lathe environment create -f env.yml`): validated
 * with `file:line:col` errors, file references inlined, ready to send.
 */
export async function loadEnvironmentFile(file: string): Promise<EnvironmentDefinition> {
  const spec = await loadSpecFile(file, EnvironmentYaml, 'environment file', "a mapping with at least 'name' (and e.g. conda_file, image or npm)");
  return inlineEnvironmentFiles(spec, dirname(resolve(file)), file);
}
