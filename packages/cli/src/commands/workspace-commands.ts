import type { Command } from 'commander';
import { formatTime, table } from '../output/format.js';
import type { CommandContext } from './command-context.js';

export function workspaceCommands(program: Command, ctx: CommandContext): void {
  const ws = program.command('workspace').description('Workspaces and their members');
  ws.command('list').action(async (_o: unknown, cmd: Command) => {
    const { client, out } = ctx.connect(cmd);
    const { items } = await client.call('listWorkspaces', {});
    out.result(items, () => table([['NAME', 'ROLE', 'CREATED'], ...items.map((w) => [w.name, w.role, formatTime(w.created_at)])]));
  });
  ws.command('create').requiredOption('-n, --name <name>').action(async (o: { name: string }, cmd: Command) => {
    const { client, out } = ctx.connect(cmd);
    const w = await client.call('createWorkspace', { body: { name: o.name } });
    out.result(w, () => `Created workspace ${w.name}`);
  });
  ws.command('add-member')
    .description('Give a user a role (owner, contributor, reader) in the current workspace')
    .requiredOption('--user <name>')
    .requiredOption('--role <role>')
    .action(async (o: { user: string; role: 'owner' | 'contributor' | 'reader' }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const m = await client.call('addMember', { body: { user: o.user, role: o.role } });
      out.result(m, () => `${m.user} is now ${m.role} in workspace ${client.workspace}`);
    });

  const user = program.command('user').description('Users (administrators only)');
  user.command('create')
    .description('Create a user; prints its token once')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const created = await client.call('createUser', { body: { name: o.name } });
      out.result(created, () => `Created user ${created.user.name}\nToken (shown once): ${created.token}`);
    });
}
