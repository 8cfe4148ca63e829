import type { Command } from 'commander';
import { DatastoreYaml, type Datastore } from '@lathe/contract';
import { loadSpecFile } from '../job-file/load-spec-file.js';
import { formatTime, table } from '../output/format.js';
import type { CommandContext } from './command-context.js';

/** Where a datastore points, in one line. */
function location(d: Datastore): string {
  const s = d.settings as Record<string, string | undefined>;
  if (d.type === 'azure_blob') return `${s.account_name}/${s.container_name} (${s.endpoint})`;
  if (d.type === 's3') return `s3://${s.bucket}${s.endpoint ? ` (${s.endpoint})` : ''}`;
  if (d.type === 'local') return s.path ?? '';
  return "the server's blob store";
}

function details(d: Datastore): string {
  const rows: string[][] = [['Name:', d.name + (d.is_default ? ' (default)' : '')], ['Type:', d.type], ['Location:', location(d)], ['Description:', d.description ?? '-']];
  for (const [k, v] of Object.entries(d.settings)) {
    if (k === 'type' || k === 'credentials') continue;
    rows.push([`${k}:`, String(v)]);
  }
  // Credentials are secret references; their values never leave the server.
  const creds = (d.settings as { credentials?: Record<string, string> }).credentials;
  if (creds) for (const [k, v] of Object.entries(creds)) rows.push([`credentials.${k}:`, `${v} (value hidden)`]);
  if (Object.keys(d.tags).length) rows.push(['Tags:', Object.entries(d.tags).map(([k, v]) => `${k}=${v}`).join(', ')]);
  if (!d.is_default) rows.push(['Updated:', `${formatTime(d.updated_at)}${d.user ? ` by ${d.user}` : ''}`]);
  return table(rows);
}

export function datastoreCommands(program: Command, ctx: CommandContext): void {
  const ds = program.command('datastore').description('Named connections to storage (as `az ml datastore`)');

  ds.command('create')
    .description('Create or update a datastore from an Azure ML datastore YAML (type azure_blob, s3 or local); the connection is checked first')
    .requiredOption('-f, --file <file>', 'datastore YAML')
    .action(async (o: { file: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const spec = await loadSpecFile(o.file, DatastoreYaml, 'datastore file', "a mapping with 'name' and 'type'");
      const d = await client.call('createDatastore', { body: spec });
      out.result(d, () => `Datastore ${d.name} ready\n${details(d)}`);
    });

  ds.command('list')
    .description('Datastores; credentials shown as secret references')
    .action(async (_o: unknown, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const { items } = await client.call('listDatastores', {});
      out.result(items, () => table([['NAME', 'TYPE', 'LOCATION', 'DEFAULT'], ...items.map((d) => [d.name, d.type, location(d), d.is_default ? 'yes' : ''])]));
    });

  ds.command('show')
    .description('One datastore')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const d = await client.call('getDatastore', { params: { name: o.name } });
      out.result(d, () => details(d));
    });
}
