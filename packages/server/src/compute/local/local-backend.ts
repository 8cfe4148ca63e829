import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentLaunch, ComputeBackend } from '../compute-backend.js';

export interface LocalBackendOptions {
  /** argv that starts `lathe agent` (e.g. [node, /path/lathe.js, 'agent']). */
  agentCommand: readonly string[];
  /** Where agents make run folders. */
  workRoot: string;
  /** Where each agent's own diagnostic output goes (not the job's log). */
  agentLogDir: string;
  /** Environment passed to agents (the server's own, from the composition root). */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Extra folder(s) for the job's PYTHONPATH: the `lathe` Python module. */
  pythonPath?: string | undefined;
  /** Warm agents kept waiting for the next runs (default 2, so back-to-back jobs both find one; 0 turns it off). */
  standby?: number | undefined;
}

/**
 * Runs on the server host. The agent is started detached in its own session so it
 * outlives a server restart (the server reattaches on start); its own output goes to a file.
 */
export class LocalBackend implements ComputeBackend {
  constructor(private readonly options: LocalBackendOptions) {
    mkdirSync(options.workRoot, { recursive: true });
    mkdirSync(options.agentLogDir, { recursive: true });
    this.topUpSpares();
  }

  private closed = false;

  private topUpSpares(): void {
    while (!this.closed && this.spares.length < (this.options.standby ?? 2)) this.spawnSpare();
  }

  /** Warm agents, modules loaded, waiting on stdin for a run: job start skips Node's start-up. */
  private spares: ChildProcess[] = [];

  private env(): NodeJS.ProcessEnv {
    return {
      ...this.options.baseEnv,
      LATHE_WORK_ROOT: this.options.workRoot,
      ...(this.options.pythonPath ? { LATHE_PYTHON_PATH: this.options.pythonPath } : {}),
    };
  }

  private spawnSpare(): void {
    const [cmd, ...args] = this.options.agentCommand;
    const logFd = openSync(join(this.options.agentLogDir, 'standby.log'), 'a');
    try {
      const child = spawn(cmd!, [...args, '--standby'], { detached: true, stdio: ['pipe', logFd, logFd], env: this.env() });
      child.once('error', () => undefined);
      child.once('exit', () => {
        this.spares = this.spares.filter((c) => c !== child);
      });
      child.unref();
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      this.spares.push(child);
    } finally {
      closeSync(logFd);
    }
  }

  async start(launch: AgentLaunch): Promise<{ pid: number }> {
    // The oldest spare has had the most time to load.
    const spare = this.spares.shift();
    let pid: number;
    if (spare?.pid !== undefined && spare.exitCode === null && spare.stdin?.writable) {
      // The token travels on stdin, never in argv (which other users can read).
      spare.stdin.end(`${JSON.stringify({ runId: launch.runId, apiUrl: launch.apiUrl, token: launch.token, workspace: launch.workspace })}\n`);
      pid = spare.pid;
      await writeFile(this.pidFile(launch.runId), String(pid));
    } else {
      pid = await this.startCold(launch);
    }
    this.topUpSpares();
    return { pid };
  }

  private pidFile(runId: string): string {
    return join(this.options.agentLogDir, `${runId}.pid`);
  }

  private async startCold(launch: AgentLaunch): Promise<number> {
    const [cmd, ...args] = this.options.agentCommand;
    const logFd = openSync(join(this.options.agentLogDir, `${launch.runId}.log`), 'a');
    try {
      const child = spawn(cmd!, [...args, '--run-id', launch.runId], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: { ...this.env(), LATHE_API_URL: launch.apiUrl, LATHE_RUN_TOKEN: launch.token, LATHE_WORKSPACE: launch.workspace, LATHE_RUN_ID: launch.runId },
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!));
        child.once('error', reject);
      });
      child.unref();
      return pid;
    } finally {
      closeSync(logFd);
    }
  }

  /** Stop the warm spares (server shutdown). */
  close(): void {
    this.closed = true;
    for (const c of this.spares) c.kill('SIGTERM');
    this.spares = [];
  }

  async stop(pid: number, runId: string): Promise<void> {
    if (await this.isAlive(pid, runId)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
  }

  async isAlive(pid: number, runId: string): Promise<boolean> {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // Guard against pid reuse after a reboot or a long outage: the agent's argv names its run,
    // or, for an agent that was a warm spare, the pid file written when it took the run.
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(runId)) {
        const recorded = await readFile(this.pidFile(runId), 'utf8').catch(() => '');
        if (!cmdline.includes('--standby') || Number(recorded) !== pid) return false;
      }
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return stat.split(') ')[1]?.[0] !== 'Z';
    } catch {
      return true; // no /proc: trust kill(0)
    }
  }
}
