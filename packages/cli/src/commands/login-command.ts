import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LatheClient } from '@lathe/client';
import { latheHome } from '../connection/lathe-home.js';
import type { CommandContext } from './command-context.js';

export function loginCommand(program: Command, ctx: CommandContext): void {
  program.command('login')
    .description('Use a (remote) Lathe server: checks the token and saves it to $LATHE_HOME/credentials')
    .requiredOption('--url <url>', 'server URL')
    .requiredOption('--token <token>', 'your token')
    .option('-w, --workspace <name>', 'default workspace', 'default')
    .action(async (o: { url: string; token: string; workspace: string }, cmd: Command) => {
      const out = ctx.output(cmd);
      const who = await new LatheClient({ url: o.url, token: o.token }).call('whoami', {});
      const home = latheHome(ctx.env);
      await mkdir(home, { recursive: true, mode: 0o700 });
      const file = join(home, 'credentials');
      await writeFile(file, `${JSON.stringify({ url: o.url, token: o.token, workspace: o.workspace, source: 'login' }, null, 2)}\n`, { mode: 0o600 });
      await chmod(file, 0o600);
      out.result({ user: who.user, url: o.url, workspace: o.workspace }, () => `Logged in to ${o.url} as ${who.user} (workspace ${o.workspace})`);
    });
}
