import type { Command } from 'commander';

/** What a standby agent is handed when a run is assigned to it (one JSON line on stdin). */
interface Handoff {
  runId: string;
  apiUrl: string;
  token: string;
  workspace: string;
}

/** Read the one line a standby agent waits for; null when stdin closes first (the server went away). */
function readHandoff(): Promise<Handoff | null> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        process.stdin.pause();
        process.stdin.removeAllListeners('data');
        resolve(JSON.parse(text.slice(0, nl)) as Handoff);
      }
    });
    process.stdin.once('end', () => resolve(null));
  });
}

export function agentCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('agent', { hidden: true })
    .description('Run one job on this node (started by a compute backend)')
    .option('--run-id <id>', 'the run to execute')
    .option('--standby', 'load everything, then wait on stdin for the run to execute (a warm spare)')
    .action(async (o: { runId?: string; standby?: boolean }) => {
      const { runAgent, agentConfigFromEnv } = await import('@lathe/agent');
      let runEnv: NodeJS.ProcessEnv = env;
      let runId = o.runId;
      if (o.standby) {
        const handoff = await readHandoff();
        if (!handoff) process.exit(0);
        runId = handoff.runId;
        runEnv = { ...env, LATHE_API_URL: handoff.apiUrl, LATHE_RUN_TOKEN: handoff.token, LATHE_WORKSPACE: handoff.workspace, LATHE_RUN_ID: handoff.runId };
        // From here on the agent must outlive the server: stdin closing is no longer a signal.
        process.stdin.destroy();
      }
      if (!runId) throw new Error('lathe agent needs --run-id (or --standby)');
      const config = agentConfigFromEnv(runEnv, runId);
      const outcome = await runAgent(config, {
        onStop: (fn) => {
          process.once('SIGTERM', fn);
          process.once('SIGINT', fn);
        },
      });
      process.exit(outcome.status === 'Completed' ? 0 : 1);
    });
}
