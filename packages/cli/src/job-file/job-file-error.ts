/** One thing wrong with a job file, pinned to where it is. */
export interface JobFileProblem {
  /** The job file, as the user named it. */
  file: string;
  /** 1-based; absent when the problem has no place in the file (unreadable file, a `--set` value). */
  line?: number;
  column?: number;
  /** Dotted key path, e.g. `inputs.epochs`; empty for the document as a whole. */
  key: string;
  /** What is wrong, in plain words: `expected a number, got "ten"`. */
  reason: string;
  /** The `--set` flag the offending value came from, when it came from one. */
  setOverride?: string;
}

/** `job.yml:12:3: inputs.epochs: expected a number, got "ten"` */
export function formatProblem(p: JobFileProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  const from = p.setOverride === undefined ? '' : ` (from --set ${p.setOverride})`;
  const key = p.key === '' ? (from === '' ? '' : `${from.trimStart()}: `) : `${p.key}${from}: `;
  return `${where}: ${key}${p.reason}`;
}

/** File order; problems with no place in the file (from `--set`) go last, in the order given. */
function byPosition(a: JobFileProblem, b: JobFileProblem): number {
  const la = a.line ?? Number.POSITIVE_INFINITY;
  const lb = b.line ?? Number.POSITIVE_INFINITY;
  if (la !== lb) return la - lb;
  return (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Everything wrong with a job file, one problem per line of the message, sorted by position.
 * `file`, `line`, `column`, `key` and `reason` describe the first problem, which is the one
 * a caller showing a single location wants.
 */
export class JobFileError extends Error {
  readonly problems: readonly JobFileProblem[];
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly key: string;
  readonly reason: string;

  constructor(problems: readonly JobFileProblem[]) {
    const sorted = [...problems].sort(byPosition);
    const first = sorted[0];
    if (first === undefined) throw new TypeError('JobFileError needs at least one problem');
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'JobFileError';
    this.problems = sorted;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.key = first.key;
    this.reason = first.reason;
  }
}
