import type { Command } from 'commander';

export function agentCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('agent', { hidden: true })
    .description('Run one job on this node (started by a compute backend)')
    .requiredOption('--run-id <id>', 'the run to execute')
    .action(async (o: { runId: string }) => {
      const { runAgent, agentConfigFromEnv } = await import('@lathe/agent');
      const config = agentConfigFromEnv(env, o.runId);
      const outcome = await runAgent(config, {
        onStop: (fn) => {
          process.once('SIGTERM', fn);
          process.once('SIGINT', fn);
        },
      });
      process.exit(outcome.status === 'Completed' ? 0 : 1);
    });
}
