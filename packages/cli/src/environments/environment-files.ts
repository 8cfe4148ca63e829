import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CondaFile, type EnvironmentDefinition, type EnvironmentYaml } from '@lathe/contract';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { describeIssues } from '../job-file/describe-issues.js';
import { JobFileError, type JobFileProblem } from '../job-file/job-file-error.js';
import { YamlLocator } from '../job-file/yaml-locator.js';
import { JOB_YAML_OPTIONS } from '../job-file/yaml-options.js';

const isUrl = (p: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p);

async function readText(file: string, what: string, from: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobFileError([{ file: from, key: what, reason: code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(err as Error).message}` }]);
  }
}

/** A conda environment file, validated with `file:line:col` errors like a job file's. */
export async function loadCondaFile(path: string, from: string): Promise<CondaFile> {
  const lines = new LineCounter();
  const doc = parseDocument(await readText(path, 'conda_file', from), { ...JOB_YAML_OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new JobFileError(doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file: path, line, column: col, key: '', reason: `invalid YAML: ${e.message}` };
    }));
  }
  if (!isMap(doc.contents)) throw new JobFileError([{ file: path, key: '', reason: 'a conda file is a mapping with dependencies: (and optionally name:, channels:)' }]);
  const data = doc.toJS() as unknown;
  const parsed = CondaFile.safeParse(data);
  if (parsed.success) return parsed.data;
  const locator = new YamlLocator(doc, lines);
  throw new JobFileError(describeIssues(parsed.error.issues, data, CondaFile).map((r): JobFileProblem => ({
    file: path, key: r.path.map(String).join('.'), reason: r.reason, ...locator.locate(r.path, r.target),
  })));
}

/** Requirement lines of a requirements file (comments and blank lines dropped). */
async function loadRequirements(path: string, from: string): Promise<string[]> {
  return (await readText(path, 'pip_requirements', from)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Inline an environment's file references, relative to `baseDir` (the YAML's folder):
 * `conda_file` as its content, `pip_requirements` as lines, local `pip_find_links`
 * as absolute paths. The result is what the server accepts.
 * @param from the YAML file, for error messages
 */
export async function inlineEnvironmentFiles(env: EnvironmentYaml, baseDir: string, from: string): Promise<EnvironmentDefinition> {
  const { conda_file: conda, pip_requirements: reqs, pip_find_links: links, ...rest } = env;
  const out: EnvironmentDefinition = { ...rest };
  if (conda !== undefined) out.conda_file = typeof conda === 'string' ? await loadCondaFile(resolve(baseDir, conda), from) : conda;
  if (reqs !== undefined) out.pip_requirements = typeof reqs === 'string' ? await loadRequirements(resolve(baseDir, reqs), from) : reqs;
  if (links !== undefined) out.pip_find_links = (typeof links === 'string' ? [links] : links).map((l) => (isUrl(l) ? l : resolve(baseDir, l)));
  return out;
}
