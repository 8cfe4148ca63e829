import type { Command } from 'commander';
import { formatTime, table } from '../output/format.js';
import type { CommandContext } from './command-context.js';

export function computeCommands(program: Command, ctx: CommandContext): void {
  const compute = program.command('compute').description('Compute targets');
  compute.command('create')
    .description('Create a compute target')
    .requiredOption('-n, --name <name>', 'name (jobs use it as compute: azureml:<name>)')
    .option('--type <type>', 'local', 'local')
    .option('--slots <n>', 'concurrent jobs (default: the server\'s CPU count)')
    .option('--description <text>')
    .action(async (o: { name: string; type: 'local'; slots?: string; description?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const c = await client.call('createCompute', { body: { name: o.name, type: o.type, slots: o.slots ? Number(o.slots) : undefined, description: o.description } });
      out.result(c, () => `Created compute ${c.name} (${c.type}, ${c.slots} slots)`);
    });
  compute.command('list')
    .description('List compute targets with slots in use and queued jobs')
    .action(async (_o: unknown, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const { items } = await client.call('listComputes', {});
      out.result(items, () => table([['NAME', 'TYPE', 'SLOTS', 'IN USE', 'QUEUED', 'CREATED'], ...items.map((c) => [c.name, c.type, String(c.slots), String(c.slots_in_use), String(c.queued), formatTime(c.created_at)])]));
    });
  compute.command('show')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const c = await client.call('getCompute', { params: { name: o.name } });
      out.result(c, () => table([['Name:', c.name], ['Type:', c.type], ['Slots:', String(c.slots)], ['In use:', String(c.slots_in_use)], ['Queued:', String(c.queued)]]));
    });
  compute.command('delete')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      await client.call('deleteCompute', { params: { name: o.name } });
      out.result({ deleted: o.name }, () => `Deleted compute ${o.name}`);
    });
}
