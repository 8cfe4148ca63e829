import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CommandJobYaml, IGNORED_JOB_KEYS, undeclaredRefs } from '@lathe/contract';
import { isMap, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { describeIssues } from './describe-issues.js';
import { describeValue } from './describe-value.js';
import { JobFileError, type JobFileProblem } from './job-file-error.js';
import { applySetOverrides } from './set-overrides.js';
import { YamlLocator, type LocateTarget } from './yaml-locator.js';
import { JOB_YAML_OPTIONS } from './yaml-options.js';

/** A validated command job file and what the CLI needs to act on it. */
export interface LoadedJobFile {
  spec: CommandJobYaml;
  /** The job file's folder (absolute): `code:` and local input paths are relative to it. */
  baseDir: string;
  /** Things worth telling the user that do not stop the job. */
  warnings: string[];
}

export interface LoadJobFileOptions {
  /** `--set path.to.key=value` flags, applied in order before validation. */
  set?: readonly string[];
}

/**
 * Read, override and validate an Azure ML CLI v2 command job YAML.
 * Every problem is reported at once, each as `job.yml:12:3: inputs.epochs: expected a
 * number, got "ten"`, so a user fixes the file in one pass.
 * @throws JobFileError for an unreadable or malformed file, a non-command job, schema
 *   violations, and `${{inputs.x}}` references the job does not declare.
 */
export async function loadJobFile(filePath: string, options: LoadJobFileOptions = {}): Promise<LoadedJobFile> {
  const file = filePath;
  const lines = new LineCounter();
  const doc = parseDocument(await readJobText(file), { ...JOB_YAML_OPTIONS, lineCounter: lines });
  const place = (e: YAMLError) => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new JobFileError(doc.errors.map((e) => ({ ...place(e), key: '', reason: syntaxReason(e) })));
  }
  checkTopLevel(doc, file, lines);

  const locator = new YamlLocator(doc, lines, applySetOverrides(doc, options.set ?? [], file));
  const problem = (path: readonly PropertyKey[], target: LocateTarget, reason: string): JobFileProblem => ({
    file,
    key: path.map(String).join('.'),
    reason,
    ...locator.locate(path, target),
  });
  const data = toPlain(doc, file);

  // Another job type would drown in unknown-key errors; name the real problem alone.
  if (typeof data.type === 'string' && data.type !== 'command') {
    throw new JobFileError([
      problem(['type'], 'value', `'${data.type}' jobs are not supported; only command jobs are supported in this version`),
    ]);
  }

  const parsed = CommandJobYaml.safeParse(data);
  const problems = parsed.success
    ? []
    : describeIssues(parsed.error.issues, data, CommandJobYaml).map((r) => problem(r.path, r.target, r.reason));
  problems.push(...undeclaredRefProblems(data).map((reason) => problem(['command'], 'value', reason)));
  if (problems.length > 0) throw new JobFileError(problems);
  if (!parsed.success) throw new JobFileError([{ file, key: '', reason: parsed.error.message }]);

  const warnings = doc.warnings.map((w) => {
    const at = place(w);
    return `${at.file}:${at.line}:${at.column}: ${w.message}`;
  });
  const ignored = IGNORED_JOB_KEYS.filter((k) => parsed.data[k] !== undefined);
  if (ignored.length > 0) {
    warnings.push(
      `${file}: ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} recorded with the job but not honoured: ` +
        'Lathe runs jobs on its own compute, where these Azure ML settings have no effect',
    );
  }
  return { spec: parsed.data, baseDir: dirname(resolve(file)), warnings };
}

async function readJobText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'job file not found'
        : code === 'EISDIR'
          ? 'this is a folder; expected a job YAML file'
          : `cannot read the job file: ${(err as Error).message}`;
    throw new JobFileError([{ file, key: '', reason }]);
  }
}

function syntaxReason(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'invalid YAML: the file holds several documents (split by ---); a job file holds one';
  return `invalid YAML: ${e.message}`;
}

function checkTopLevel(doc: Document, file: string, lines: LineCounter): void {
  const top = doc.contents;
  if (top === null) {
    throw new JobFileError([{ file, key: '', reason: "the file is empty; a job file is a YAML mapping with at least a 'command' key" }]);
  }
  if (!isMap(top)) {
    const { line, col } = lines.linePos(top.range?.[0] ?? 0);
    const reason = `expected a mapping of job keys (like 'command: python train.py') at the top level, got ${describeValue(doc.toJS())}`;
    throw new JobFileError([{ file, line, column: col, key: '', reason }]);
  }
}

function toPlain(doc: Document, file: string): Record<string, unknown> {
  try {
    return doc.toJS() as Record<string, unknown>;
  } catch (err) {
    // e.g. an alias bomb: yaml refuses to expand too many aliases.
    throw new JobFileError([{ file, key: '', reason: `cannot read the YAML: ${(err as Error).message}` }]);
  }
}

/** `${{inputs.x}}` in the command with no `inputs.x` declared: the job would fail at launch. */
function undeclaredRefProblems(data: Record<string, unknown>): string[] {
  if (typeof data.command !== 'string') return [];
  const declared = {
    inputs: Object.keys(asRecord(data.inputs)),
    outputs: Object.keys(asRecord(data.outputs)),
  };
  return undeclaredRefs(data.command, declared.inputs, declared.outputs).map((ref) => {
    const names = declared[ref.kind];
    const singular = ref.kind === 'inputs' ? 'input' : 'output';
    const known = names.length === 0 ? `no ${ref.kind} are declared` : `declared ${ref.kind}: ${names.join(', ')}`;
    return `references \${{${ref.kind}.${ref.name}}}, but the job declares no ${singular} '${ref.name}' (${known})`;
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
