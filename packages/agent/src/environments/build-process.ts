import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { EnvironmentBuildError } from './environment-build-error.js';

/** Where a build writes what its tools print: the run's log (and the cache entry's build.log). */
export interface BuildLog {
  write(chunk: string): void;
  note(line: string): void;
}

export interface BuildStep {
  /** What the user reads: `pip install`, `npm install`. */
  label: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The tool's own error lines (pip's `ERROR:`, npm's `npm error`), quoted when the step fails. */
  isErrorLine?: (line: string) => boolean;
}

const MAX_REASON_LINES = 20;

/**
 * Run one build tool with its output streaming into the log. The tool runs in its own
 * process group, so an abort (cancel, timeout) stops everything it started.
 * @throws EnvironmentBuildError naming the step, its exit code and its error lines
 */
export async function runBuildStep(step: BuildStep, log: BuildLog, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const child = spawn(step.command, step.args, { cwd: step.cwd, env: step.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const decoder = new StringDecoder('utf8');
  const tail: string[] = [];
  const errors: string[] = [];
  let partial = '';
  const take = (b: Buffer) => {
    const text = decoder.write(b);
    log.write(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) keep(line);
  };
  const keep = (raw: string) => {
    const line = raw.replace(/\r$/, '').trimEnd();
    if (!line) return;
    tail.push(line);
    if (tail.length > MAX_REASON_LINES) tail.shift();
    if (step.isErrorLine?.(line) && errors.length < MAX_REASON_LINES) errors.push(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  signal.addEventListener('abort', kill, { once: true });
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  signal.removeEventListener('abort', kill);
  if (partial) keep(partial);
  if (signal.aborted) throw new EnvironmentBuildError(`${step.label} was stopped: ${String((signal.reason as Error | undefined)?.message ?? signal.reason ?? 'aborted')}`);
  if (result.error) throw new EnvironmentBuildError(`${step.label} could not start (${step.command}): ${result.error.message}`);
  if (result.code !== 0) {
    const quoted = errors.length > 0 ? errors : tail;
    throw new EnvironmentBuildError(`${step.label} failed with exit code ${result.code}:\n${quoted.join('\n')}`);
  }
}

/** Run a command and return its stdout (for probing interpreters); null when it fails. */
export async function probe(command: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<string | null> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code === 0 ? out : null));
  });
}
