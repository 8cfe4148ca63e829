import type { Command } from 'commander';
import { normalizeEnvironment, type Environment, type EnvironmentSpec } from '@lathe/contract';
import { loadEnvironmentFile } from '../environments/load-environment-file.js';
import { formatTime, table } from '../output/format.js';
import { streamJob } from './job-stream.js';
import { exitCodeForStatus } from './exit-codes.js';
import type { CommandContext } from './command-context.js';

const shortHash = (h: string | null) => (h === null ? '-' : h.slice(0, 12));

function kind(spec: EnvironmentSpec): string {
  const parts = [spec.python ? (spec.python.conda ? 'conda' : 'python') : null, spec.npm ? 'npm' : null].filter((p) => p !== null);
  return parts.length > 0 ? parts.join('+') : 'host';
}

/** `environment show` as a person reads it. */
export function environmentDetails(e: Environment): string {
  const rows: string[][] = [
    ['Name', e.name],
    ['Version', String(e.version)],
    ['Kind', kind(e.spec) + (e.curated ? ' (curated, shipped with Lathe)' : '')],
    ['Hash', e.hash ?? '- (nothing to build: jobs run in the host environment)'],
  ];
  if (e.description) rows.push(['Description', e.description]);
  const py = e.spec.python;
  if (py) {
    const interp = py.interpreter ?? (py.version ? `python${py.version}` : "the node's python3");
    rows.push(['Python', `${interp}${py.system_site_packages ? ', with system site packages' : ''}`]);
    if (py.requirements.length) rows.push(['pip', py.requirements.join(', ')]);
    if (py.index_url) rows.push(['pip index', py.index_url]);
    if (py.find_links.length) rows.push(['pip find-links', py.find_links.join(', ')]);
    if (py.conda) rows.push(['conda', `${py.conda.packages.join(', ')}${py.conda.channels.length ? ` (channels: ${py.conda.channels.join(', ')})` : ''}`]);
  }
  if (e.spec.npm) rows.push(['npm', Object.entries(e.spec.npm.dependencies).map(([n, v]) => `${n}@${v}`).join(', ') || '(no packages)']);
  if (e.spec.image) rows.push(['Image', `${e.spec.image} (recorded)`]);
  if (e.spec.build_context) rows.push(['Build', `${e.spec.build_context} (needs a container runtime)`]);
  const vars = Object.entries(e.spec.environment_variables);
  if (vars.length) rows.push(['Variables', vars.map(([k, v]) => `${k}=${v}`).join(', ')]);
  const tags = Object.entries(e.tags);
  if (tags.length) rows.push(['Tags', tags.map(([k, v]) => `${k}=${v}`).join(', ')]);
  if (!e.curated) rows.push(['Created', `${formatTime(e.created_at)}${e.created_by ? ` by ${e.created_by}` : ''}`]);
  return table(rows.map(([k, v]) => [`${k}:`, v!]));
}

export function environmentCommands(program: Command, ctx: CommandContext): void {
  const env = program.command('environment').description('Environments: Python (venv + pip, conda) and npm packages, built once per content hash on each node');

  env.command('create')
    .description('Create an environment version from an Azure ML environment YAML')
    .requiredOption('-f, --file <file>', 'environment YAML')
    .option('-n, --name <name>', 'name (default: the YAML name)')
    .option('-v, --env-version <version>', 'version (default: the YAML version, else the next one); --version is the CLI\'s own')
    .action(async (o: { file: string; name?: string; envVersion?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const def = await loadEnvironmentFile(o.file);
      const name = o.name ?? def.name;
      if (!name) throw new Error(`${o.file}: an environment needs a name (a name: key, or --name)`);
      for (const note of normalizeEnvironment(def).notes) out.warn(note);
      const created = await client.call('createEnvironment', { body: { ...def, name, ...(o.envVersion !== undefined ? { version: o.envVersion } : {}) } });
      out.result(created, () => environmentDetails(created));
    });

  env.command('list')
    .description('List environments (the latest version of each; curated ones included)')
    .option('-n, --name <name>', 'every version of this environment')
    .option('--no-curated', 'leave out the curated environments shipped with Lathe')
    .option('--aliases', 'show the alias map from Azure ML curated names instead')
    .option('--max-results <n>', 'how many', '100')
    .action(async (o: { name?: string; curated: boolean; aliases?: boolean; maxResults: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      if (o.aliases) {
        const res = await client.call('listEnvironmentAliases', {});
        out.result(res, () => `${table([['ALIAS', 'TARGET', 'SOURCE'], ...res.items.map((a) => [a.alias, a.target, a.source])])}${res.file ? `\n\nAdd or override aliases in ${res.file}` : ''}`);
        return;
      }
      const page = await client.call('listEnvironments', { query: { name: o.name, curated: o.curated ? 'true' : 'false', max_results: Number(o.maxResults) } });
      out.result(page.items, () => (page.items.length === 0
        ? 'No environments.'
        : table([
          ['NAME', 'VERSION', 'KIND', 'HASH', 'CREATED', 'DESCRIPTION'],
          ...page.items.map((e) => [e.name, String(e.version), kind(e.spec) + (e.curated ? ' (curated)' : ''), shortHash(e.hash), e.curated ? '-' : formatTime(e.created_at), e.description ?? '']),
        ])));
    });

  env.command('show')
    .description('Show an environment version: its packages, variables and hash')
    .requiredOption('-n, --name <name>', 'environment name')
    .option('-v, --env-version <version>', 'version (default: the latest)')
    .option('--label <label>', 'latest (as az ml)')
    .action(async (o: { name: string; envVersion?: string; label?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const e = await client.call('getEnvironment', { params: { name: o.name, version: o.envVersion ?? o.label ?? 'latest' } });
      out.result(e, () => environmentDetails(e));
    });

  env.command('build')
    .description('Build an environment on a compute now (a short run whose log is the build log)')
    .requiredOption('-n, --name <name>', 'environment name')
    .option('-v, --env-version <version>', 'version (default: the latest)')
    .option('--compute <name>', 'where to build it', 'local')
    .option('--no-stream', 'return once the build is queued')
    .action(async (o: { name: string; envVersion?: string; compute: string; stream: boolean }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const compute = o.compute.startsWith('azureml:') ? o.compute.slice('azureml:'.length) : o.compute;
      const run = await client.call('buildEnvironment', { params: { name: o.name, version: o.envVersion ?? 'latest' }, body: { compute } });
      if (!o.stream) {
        out.result(run, () => `Building ${o.name} in job ${run.id} (follow it with: lathe job stream -n ${run.id})`);
        return;
      }
      out.note(`Building ${o.name} in job ${run.id}`);
      const final = await streamJob(client, run.id, out, ctx.writeLog);
      if (out.format === 'json') out.result(final, () => '');
      ctx.setExitCode(exitCodeForStatus(final.status));
    });
}
