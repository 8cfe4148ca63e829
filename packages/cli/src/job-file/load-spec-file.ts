import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { describeIssues, type SchemaIssue } from './describe-issues.js';
import { JobFileError, type JobFileProblem } from './job-file-error.js';
import { YamlLocator } from './yaml-locator.js';
import { JOB_YAML_OPTIONS } from './yaml-options.js';

/**
 * Read a YAML spec file (model, environment, conda file…) and validate it with a contract
 * schema; every problem is reported as `file:line:col: key: what was expected`.
 * @param what a short name for messages ("model file", "conda file")
 * @param shape what the top level should look like, for the error when it is not a mapping
 */
/** The part of a zod schema this needs (the CLI takes its schemas from the contract). */
export interface SpecSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: SchemaIssue[] } };
}

export async function loadSpecFile<T>(file: string, schema: SpecSchema<T>, what: string, shape: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobFileError([{ file, key: '', reason: code === 'ENOENT' ? `${what} not found` : `cannot read the ${what}: ${(err as Error).message}` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...JOB_YAML_OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new JobFileError(doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file, line, column: col, key: '', reason: `invalid YAML: ${e.message}` };
    }));
  }
  if (!isMap(doc.contents)) throw new JobFileError([{ file, key: '', reason: `the ${what} must be ${shape}` }]);
  const data = doc.toJS() as unknown;
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const locator = new YamlLocator(doc, lines);
  throw new JobFileError(describeIssues(parsed.error.issues, data, schema).map((r): JobFileProblem => ({
    file, key: r.path.map(String).join('.'), reason: r.reason, ...locator.locate(r.path, r.target),
  })));
}
