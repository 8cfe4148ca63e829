import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { table, formatTime } from '../output/format.js';
import type { CommandContext } from './command-context.js';

/** The value from a file or piped stdin; a single trailing newline (from echo) is dropped. */
async function readValue(file: string | undefined): Promise<string> {
  let text: string;
  if (file) {
    text = await readFile(file, 'utf8');
  } else {
    if (process.stdin.isTTY) throw new Error('pipe the value on stdin (printf %s "$VALUE" | lathe secret set NAME) or give --file; values are never taken from the command line');
    const parts: Buffer[] = [];
    for await (const c of process.stdin) parts.push(c as Buffer);
    text = Buffer.concat(parts).toString('utf8');
  }
  text = text.replace(/\r?\n$/, '');
  if (!text) throw new Error('the secret value is empty');
  return text;
}

export function secretCommands(program: Command, ctx: CommandContext): void {
  const secret = program.command('secret').description('The workspace vault: encrypted values jobs use as ${{secrets.NAME}}');

  secret.command('set')
    .description('Create a secret or store a new version; the value comes from stdin or --file, never the command line')
    .argument('<name>')
    .option('--file <file>', 'read the value from this file')
    .action(async (name: string, o: { file?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const info = await client.call('setSecret', { params: { name }, body: { value: await readValue(o.file) } });
      out.result(info, () => `Secret ${info.name} stored (version ${info.version})`);
    });

  secret.command('list')
    .description('Secret names, versions and times (values are never shown)')
    .action(async (_o: unknown, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const { items } = await client.call('listSecrets', {});
      out.result(items, () => (items.length ? table([['NAME', 'VERSION', 'UPDATED', 'CREATED', 'BY'], ...items.map((s) => [s.name, String(s.version), formatTime(s.updated_at), formatTime(s.created_at), s.user || '-'])]) : 'No secrets.'));
    });

  secret.command('delete')
    .description('Delete a secret')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      await client.call('deleteSecret', { params: { name } });
      out.result({ deleted: name }, () => `Deleted secret ${name}`);
    });

  secret.command('rotate-key')
    .description('Make a new master key and re-encrypt every secret with it (administrators; key-file keys)')
    .action(async (_o: unknown, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const r = await client.call('rotateSecretKey', {});
      out.result(r, () => `Master key rotated: now ${r.key_id}; ${r.reencrypted} secret(s) re-encrypted`);
    });
}
