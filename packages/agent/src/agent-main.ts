import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { agentConfigFromEnv } from './agent-config.js';
import { runAgent } from './run-agent.js';

/** What a standby agent is handed when a run is assigned to it (one JSON line on stdin). */
interface Handoff {
  runId: string;
  apiUrl: string;
  token: string;
  workspace: string;
}

/** Read the one line a standby agent waits for; null when stdin closes first (the server went away). */
function readHandoff(stdin: NodeJS.ReadStream): Promise<Handoff | null> {
  return new Promise((resolve) => {
    let text = '';
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        stdin.pause();
        stdin.removeAllListeners('data');
        resolve(JSON.parse(text.slice(0, nl)) as Handoff);
      }
    });
    stdin.once('end', () => resolve(null));
  });
}

/**
 * What a fresh process pays on its first HTTP call and its first parallel file operations
 * (loading fetch's internals, starting libuv's thread pool): ~50 ms here, on every job's
 * critical path unless a waiting spare pays it first. No network: a `data:` URL.
 */
async function warmUp(): Promise<void> {
  await Promise.all([
    fetch('data:,warm').then((r) => r.text()),
    ...Array.from({ length: 4 }, () => stat(tmpdir())),
  ]).catch(() => undefined);
}

/**
 * `lathe agent --run-id ID` runs one job; `--standby` loads everything first and waits on
 * stdin for the run (a warm spare, so a job's start does not pay Node's start-up).
 * Returns the process exit code.
 */
export async function agentMain(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const i = args.indexOf('--run-id');
  let runId = i >= 0 ? args[i + 1] : undefined;
  let runEnv = env;
  if (args.includes('--standby')) {
    const [handoff] = await Promise.all([readHandoff(process.stdin), warmUp()]);
    if (!handoff) return 0;
    runId = handoff.runId;
    runEnv = { ...env, LATHE_API_URL: handoff.apiUrl, LATHE_RUN_TOKEN: handoff.token, LATHE_WORKSPACE: handoff.workspace, LATHE_RUN_ID: handoff.runId };
    // From here on the agent must outlive the server: stdin closing is no longer a signal.
    process.stdin.destroy();
  }
  if (!runId) throw new Error('lathe agent needs --run-id ID (or --standby)');
  const outcome = await runAgent(agentConfigFromEnv(runEnv, runId), {
    // `on`, not `once`: a stop may be asked again (the server's reconciler repeats it) while
    // the job is still winding down, and a second signal must not kill the agent mid-report.
    onStop: (fn) => {
      process.on('SIGTERM', fn);
      process.on('SIGINT', fn);
    },
  });
  return outcome.status === 'Completed' ? 0 : 1;
}
