import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { readCredentials } from '../connection/connect.js';
import type { CommandContext } from './command-context.js';

interface GlobalOptions {
  url?: string;
  token?: string;
  workspace?: string;
}

/** The studio's sign-in link for a server URL and token; the page drops the token from the address bar. */
export function studioLink(url: string, token: string | undefined, workspace: string | undefined): string {
  const base = url.replace(/\/+$/, '');
  const q = new URLSearchParams();
  if (token) q.set('token', token);
  if (workspace && workspace !== 'default') q.set('workspace', workspace);
  const s = q.toString();
  return `${base}/${s ? `?${s}` : ''}`;
}

/** Ask the desktop to open a URL; quietly does nothing where there is no browser (a server, CI, ssh). */
function openInBrowser(link: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [link], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the printed link is enough
  }
}

export function studioCommand(program: Command, ctx: CommandContext): void {
  program
    .command('studio')
    .description('Print the studio sign-in link for the configured server and open it in a browser')
    .option('--no-open', 'only print the link')
    .action((o: { open: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      const creds = readCredentials(ctx.env);
      const url = g.url ?? ctx.env.LATHE_URL ?? creds.url;
      if (!url) {
        process.stderr.write("No Lathe server configured: start one with 'lathe server', or run 'lathe login --url URL --token TOKEN'.\n");
        ctx.setExitCode(1);
        return;
      }
      const token = g.token ?? ctx.env.LATHE_TOKEN ?? creds.token;
      const link = studioLink(url, token, g.workspace ?? ctx.env.LATHE_WORKSPACE ?? creds.workspace);
      process.stdout.write(`Studio: ${link}\n`);
      // A Linux machine without a display (a server, ssh, CI) has no browser to open.
      const desktop = process.platform !== 'linux' || Boolean(ctx.env.DISPLAY || ctx.env.WAYLAND_DISPLAY);
      if (o.open && desktop) openInBrowser(link);
      else if (o.open) process.stderr.write('No desktop here: open the link in a browser.\n');
    });
}
