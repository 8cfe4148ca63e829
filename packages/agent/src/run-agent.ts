import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LatheClient } from '@lathe/client';
import { nodeUploadTransport } from '@lathe/client/node';
import { renderCommand, type JobSubmission, type Run, type RunStatus } from '@lathe/contract';
import type { AgentConfig } from './agent-config.js';
import { LogShipper } from './log-shipper.js';
import { fetchRunSecrets } from './redaction/run-secrets.js';
import { linkLocalFiles, materializeSnapshot } from './materialize.js';
import { killGroup, signalGroup, spawnGroup } from './process-tree.js';
import { uploadFile, uploadFolder } from './upload-folder.js';
import { withRetry } from './retry.js';
import { jobEnvironment } from './job-environment.js';
import { EnvironmentBuildError, EnvironmentCache, environmentConfigFromEnv, prepareEnvironment } from './environments/index.js';

const LONG = { maxMs: 30 * 60_000 };

interface Outcome {
  status: Extract<RunStatus, 'Completed' | 'Failed' | 'Canceled'>;
  reason?: string;
  exitCode?: number;
}

/**
 * One run on one node: fetch the spec and snapshot, stage inputs, run the command with
 * its logs streaming, upload outputs, report the end. Every call to the server retries
 * through restarts, so a server restart does not orphan or fail the run.
 */
export async function runAgent(c: AgentConfig, signals: { onStop: (fn: () => void) => void }): Promise<Outcome> {
  const client = new LatheClient({ url: c.apiUrl, token: c.token, workspace: c.workspace, upload: nodeUploadTransport });
  const report = (status: RunStatus, extra: { reason?: string; exit_code?: number } = {}) =>
    withRetry(() => client.call('setRunStatus', { params: { run: c.runId }, body: { status, agent_pid: process.pid, ...extra } }), LONG);

  const runDir = join(c.workRoot, c.runId);
  const wd = join(runDir, 'wd');
  await mkdir(wd, { recursive: true });
  const logPath = join(runDir, 'std_log.txt');
  const log = new LogShipper(client, c.runId, logPath);
  log.start();

  let stopRequested: string | undefined;
  let stopJob: ((why: string) => void) | undefined;
  signals.onStop(() => {
    stopRequested ??= 'Canceled';
    stopJob?.(stopRequested);
  });
  let heartbeat: NodeJS.Timeout | undefined;
  const startHeartbeat = () => {
    heartbeat = setInterval(() => {
      void client.call('heartbeat', { params: { run: c.runId } }).then((hb) => {
        if (hb.cancel_requested && !stopRequested) {
          stopRequested = 'Canceled';
          stopJob?.(stopRequested);
        }
      }, () => undefined);
    }, c.heartbeatMs);
  };

  let outcome: Outcome;
  let releaseEnvironment: (() => Promise<void>) | undefined;
  try {
    startHeartbeat();
    const run: Run = await withRetry(() => client.call('getRun', { params: { run: c.runId } }), LONG);
    if (!run.job) throw new Error('this run has no job to execute');
    const job: JobSubmission = run.job;
    // Until the command starts, a stop aborts the preparation (an environment build).
    const preparing = new AbortController();
    stopJob = () => preparing.abort(new Error('the run was canceled'));
    const secretEnv = await fetchRunSecrets(client, c.runId, job);
    for (const short of log.redact(Object.values(secretEnv))) log.note(`a secret value of ${short.length} character(s) is too short to redact from the log`);
    const paths = await prepare(client, c, job, runDir, wd, log, preparing.signal);
    releaseEnvironment = paths.environment?.release;
    if (stopRequested) {
      outcome = { status: 'Canceled' };
    } else {
      const command = renderCommand(job.command, { inputs: paths.inputs, outputs: paths.outputs });
      await report('Running');
      log.note(`running: ${command}`);
      outcome = await execute(c, command, wd, { ...jobEnvironment(c, run, job, paths, paths.environment), ...secretEnv }, log, job.timeout_seconds, (stop) => {
        stopJob = stop;
        if (stopRequested) stop(stopRequested);
      });
      await report('Finalizing');
      await uploadOutputs(client, c.runId, wd, runDir, Object.keys(job.outputs), log);
    }
  } catch (err) {
    log.note(`agent error: ${(err as Error).message}`);
    outcome = stopRequested
      ? { status: 'Canceled' }
      : err instanceof EnvironmentBuildError
        ? { status: 'Failed', reason: err.message.slice(0, 4000) }
        : { status: 'Failed', reason: `The run's agent failed: ${(err as Error).message}` };
  } finally {
    clearInterval(heartbeat);
    await releaseEnvironment?.().catch(() => undefined);
  }
  await log.close();
  await uploadFile(client, c.runId, logPath, 'user_logs/std_log.txt').catch(() => undefined);
  await report(outcome.status, {
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}),
  }).catch(() => undefined);
  if (!c.keepRunDir) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  return outcome;
}

/** Unpack the code, stage inputs, make output folders; returns the paths the command sees. */
async function prepare(client: LatheClient, c: AgentConfig, job: JobSubmission, runDir: string, wd: string, log: LogShipper, signal: AbortSignal) {
  if (job.code_snapshot_id) {
    const snap = await withRetry(() => client.call('getSnapshot', { params: { id: job.code_snapshot_id! } }), LONG);
    const got = await materializeSnapshot(client, snap, wd, c.cacheDir);
    log.note(`code: ${snap.file_count} file(s), ${got.downloaded} downloaded, ${got.cached} from the node cache`);
  }
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(job.inputs)) {
    if (input.kind === 'literal') {
      inputs[name] = String(input.value);
      continue;
    }
    if (input.kind === 'linked') {
      const dir = join(runDir, 'inputs', name);
      const fileName = input.type === 'uri_file' ? input.file_name : undefined;
      const got = await linkLocalFiles(input.root, input.path, dir, fileName);
      inputs[name] = fileName ? join(dir, fileName) : dir;
      const warn = got.writable ? `; ${got.writable} of them writable by this user: writing into them changes the datastore` : '';
      log.note(`input ${name}: ${input.source} (ro_mount) -> ${inputs[name]}: linked from local datastore '${input.datastore}', not copied (${got.files} file(s))${warn}`);
      continue;
    }
    // The server turns data assets and datastore URIs into snapshots (or links) at submit.
    if (input.kind !== 'data') throw new Error(`input ${name}: ${input.uri} was not resolved by the server`);
    const dir = join(runDir, 'inputs', name);
    const snap = await withRetry(() => client.call('getSnapshot', { params: { id: input.snapshot_id } }), LONG);
    await materializeSnapshot(client, snap, dir, c.cacheDir, input.mode === 'ro_mount');
    inputs[name] = input.type === 'uri_file' && input.file_name ? join(dir, input.file_name) : dir;
    log.note(`input ${name}: ${input.source} (${input.mode}) -> ${inputs[name]}`);
  }
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(job.outputs)) {
    const dir = join(runDir, 'named-outputs', name);
    await mkdir(dir, { recursive: true });
    outputs[name] = output.type === 'uri_file' ? join(dir, name) : dir;
  }
  await mkdir(join(wd, 'outputs'), { recursive: true });
  await mkdir(join(wd, 'logs'), { recursive: true });
  const environment = await prepareEnvironment(job.resolved_environment, new EnvironmentCache(environmentConfigFromEnv(c.baseEnv, c.workRoot)), { runId: c.runId, log, signal, workingDir: wd });
  return { inputs, outputs, environment };
}

async function execute(
  c: AgentConfig, command: string, wd: string, env: Record<string, string>, log: LogShipper,
  timeoutSeconds: number | null, setStop: (stop: (why: string) => void) => void,
): Promise<Outcome> {
  const child = spawnGroup(command, wd, env);
  const pid = child.pid!;
  child.stdout!.on('data', (b: Buffer) => log.write(b));
  child.stderr!.on('data', (b: Buffer) => log.write(b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let stoppedBecause: string | undefined;
  const stop = (why: string) => {
    if (stoppedBecause) return;
    stoppedBecause = why;
    log.note(why === 'Canceled' ? 'cancel requested: stopping the job' : why);
    void killGroup(pid, c.killGraceMs, exited);
  };
  setStop(stop);
  const timer = timeoutSeconds ? setTimeout(() => stop(`Timed out: the job ran longer than limits.timeout (${timeoutSeconds} s) and was canceled`), timeoutSeconds * 1000) : undefined;
  const { code, signal } = await exited;
  clearTimeout(timer);
  // Whatever the script left running in its group goes with it.
  signalGroup(pid, 'SIGKILL');
  if (stoppedBecause) {
    return stoppedBecause === 'Canceled' ? { status: 'Canceled' } : { status: 'Canceled', reason: stoppedBecause };
  }
  if (code === 0) return { status: 'Completed', exitCode: 0 };
  const exitCode = code ?? 128;
  return { status: 'Failed', exitCode, reason: signal ? `The command was killed by ${signal}` : `The command exited with code ${exitCode}` };
}

async function uploadOutputs(client: LatheClient, runId: string, wd: string, runDir: string, named: string[], log: LogShipper): Promise<void> {
  let n = 0;
  n += await uploadFolder(client, runId, join(wd, 'outputs'), 'outputs');
  n += await uploadFolder(client, runId, join(wd, 'logs'), 'logs');
  for (const name of named) {
    const dir = join(runDir, 'named-outputs', name);
    if (await stat(dir).then(() => true, () => false)) n += await uploadFolder(client, runId, dir, `named-outputs/${name}`);
  }
  log.note(`uploaded ${n} output file(s)`);
}
