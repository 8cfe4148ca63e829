import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EnvironmentYaml, type EnvironmentDefinition } from '@lathe/contract';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { describeIssues } from '../job-file/describe-issues.js';
import { JobFileError } from '../job-file/job-file-error.js';
import { YamlLocator } from '../job-file/yaml-locator.js';
import { JOB_YAML_OPTIONS } from '../job-file/yaml-options.js';
import { inlineEnvironmentFiles } from './environment-files.js';

/**
 * Read an Azure ML environment YAML (`lathe environment create -f env.yml`): validated
 * with `file:line:col` errors, file references inlined, ready to send.
 */
export async function loadEnvironmentFile(file: string): Promise<EnvironmentDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobFileError([{ file, key: '', reason: code === 'ENOENT' ? 'environment file not found' : `cannot read the environment file: ${(err as Error).message}` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...JOB_YAML_OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new JobFileError(doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file, line, column: col, key: '', reason: `invalid YAML: ${e.message}` };
    }));
  }
  if (!isMap(doc.contents)) throw new JobFileError([{ file, key: '', reason: "an environment file is a mapping with at least 'name' (and e.g. conda_file, image or npm)" }]);
  const data = doc.toJS() as unknown;
  const parsed = EnvironmentYaml.safeParse(data);
  if (!parsed.success) {
    const locator = new YamlLocator(doc, lines);
    throw new JobFileError(describeIssues(parsed.error.issues, data, EnvironmentYaml).map((r) => ({
      file, key: r.path.map(String).join('.'), reason: r.reason, ...locator.locate(r.path, r.target),
    })));
  }
  return inlineEnvironmentFiles(parsed.data, dirname(resolve(file)), file);
}
