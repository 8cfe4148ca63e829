import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Start the job's command through the shell as the leader of a new process group, so
 * cancel can signal the whole tree (the shell, the script, anything it started).
 */
export function spawnGroup(command: string, cwd: string, env: Record<string, string | undefined>): ChildProcess {
  return spawn('/bin/bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGTERM the group, then SIGKILL whatever is left after the grace period. */
export async function killGroup(pid: number, graceMs: number, exited: Promise<unknown>): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const timeout = new Promise((r) => setTimeout(r, graceMs).unref());
  await Promise.race([exited, timeout]);
  signalGroup(pid, 'SIGKILL');
}
