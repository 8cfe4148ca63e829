import { AML_IGNORE_FILE, type IgnoreSource } from './ignore-rules.js';
import { formatBytes } from '../output/format.js';

export interface SnapshotLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface SnapshotTotals {
  fileCount: number;
  totalBytes: number;
  /** False when counting stopped early; the totals are then lower bounds. */
  complete: boolean;
}

/** How many of the biggest files the message names. */
const SHOWN = 10;

/**
 * A code folder over the snapshot limits. The message gives the totals, the limits, the
 * largest files and how to leave them out, because that is what the user does next.
 */
export class SnapshotTooLargeError extends Error {
  readonly largest: ReadonlyArray<{ path: string; size: number }>;

  constructor(
    readonly root: string,
    readonly totals: SnapshotTotals,
    readonly limits: SnapshotLimits,
    files: ReadonlyArray<{ path: string; size: number }>,
    ignoreSource: IgnoreSource,
  ) {
    const largest = [...files].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1)).slice(0, SHOWN);
    const atLeast = totals.complete ? '' : 'at least ';
    const width = Math.max(0, ...largest.map((f) => formatBytes(f.size).length));
    super(
      [
        `the code folder ${root} is too large to snapshot: ${atLeast}${count(totals.fileCount)} files, ` +
          `${atLeast}${formatBytes(totals.totalBytes)} (limits: ${count(limits.maxFiles)} files, ${formatBytes(limits.maxBytes)})`,
        `largest files${totals.complete ? '' : ' seen'}:`,
        ...largest.map((f) => `  ${formatBytes(f.size).padStart(width)}  ${f.path}`),
        `add what the job does not need (data, checkpoints, virtualenvs) to ${AML_IGNORE_FILE} in the code folder, in gitignore syntax`,
        ...(ignoreSource === 'gitignore'
          ? [`note: once a ${AML_IGNORE_FILE} exists, .gitignore files are no longer read, so copy the rules you need from them`]
          : []),
      ].join('\n'),
    );
    this.name = 'SnapshotTooLargeError';
    this.largest = largest;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
