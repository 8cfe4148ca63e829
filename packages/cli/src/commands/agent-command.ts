import type { Command } from 'commander';

export function agentCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('agent', { hidden: true })
    .description('Run one job on this node (started by a compute backend)')
    .option('--run-id <id>', 'the run to execute')
    .option('--standby', 'load everything, then wait on stdin for the run to execute (a warm spare)')
    .action(async (o: { runId?: string; standby?: boolean }) => {
      const { agentMain } = await import('@lathe/agent');
      const args = [...(o.runId ? ['--run-id', o.runId] : []), ...(o.standby ? ['--standby'] : [])];
      process.exit(await agentMain(args, env));
    });
}
