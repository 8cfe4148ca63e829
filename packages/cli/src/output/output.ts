import { formatBytes } from './format.js';

export type OutputFormat = 'table' | 'json';

/** Results on stdout, progress and notes on stderr, so `--output json` pipes cleanly. */
export interface Output {
  format: OutputFormat;
  result(value: unknown, asTable: () => string): void;
  note(message: string): void;
  warn(message: string): void;
  progress(done: number, total: number, label: string): void;
  endProgress(): void;
}

export function createOutput(format: OutputFormat, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  let progressShown = false;
  return {
    format,
    result(value, asTable) {
      stdout.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${asTable()}\n`);
    },
    note(message) {
      stderr.write(`${message}\n`);
    },
    warn(message) {
      stderr.write(`Warning: ${message}\n`);
    },
    progress(done, total, label) {
      if (!stderr.isTTY) return;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${formatBytes(done)} / ${formatBytes(total)}`);
      progressShown = true;
    },
    endProgress() {
      if (progressShown) stderr.write('\n');
      progressShown = false;
    },
  };
}
