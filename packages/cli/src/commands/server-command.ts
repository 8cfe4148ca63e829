import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { LATHE_VERSION } from '../version.js';
import { latheHome } from '../connection/lathe-home.js';
import { hostEnvironmentPreparer } from './host-environments.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The agent's own entry point (packages/agent/bin/lathe-agent.js) and the repo's python/ folder. */
const AGENT_BIN = resolve(here, '../../../agent/bin/lathe-agent.js');
const PYTHON_DIR = resolve(here, '../../../../python');
/** The built studio, served at `/` (packages/studio/dist). */
const STUDIO_DIR = resolve(here, '../../../studio/dist');

export function serverCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('server')
    .description('Start a Lathe workspace server (SQLite, local disk and local compute by default)')
    .option('--data <dir>', 'data folder (database, blobs, run folders)', join(latheHome(env), 'data'))
    .option('--host <host>', 'address to bind; 0.0.0.0 exposes the server to the network', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '5252')
    .option('--slots <n>', 'concurrent jobs on the local compute (default: CPU count)')
    .option('--db <url>', 'metadata database URL (default: sqlite in the data folder)')
    .option('--blobs <url>', 'blob store URL (default: file:// in the data folder)')
    .action(async (o: { data: string; host: string; port: string; slots?: string; db?: string; blobs?: string }) => {
      const { startServer } = await import('@lathe/server');
      const dataDir = resolve(o.data);
      const server = await startServer({
        dataDir,
        host: o.host,
        port: Number(o.port),
        databaseUrl: o.db ?? `sqlite://${pathToFileURL(join(dataDir, 'lathe.db')).pathname}`,
        blobUrl: o.blobs ?? pathToFileURL(join(dataDir, 'blobs')).href,
        latheHome: latheHome(env),
        localSlots: o.slots ? Number(o.slots) : Math.max(1, cpus().length),
        agentCommand: [process.execPath, AGENT_BIN],
        pythonPath: PYTHON_DIR,
        baseEnv: env,
        version: LATHE_VERSION,
        tickMs: env.LATHE_TICK_MS ? Number(env.LATHE_TICK_MS) : undefined,
        log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
        studioDir: STUDIO_DIR,
        prepareHostEnvironment: hostEnvironmentPreparer(env, join(dataDir, 'runs')),
      });
      process.stdout.write(`Lathe listening on ${server.url}\n`);
      process.stdout.write(`Studio: ${studioSignInLink(server.url, server.credentialsFile)}\n`);
      process.stdout.write(`Data: ${dataDir}\nCredentials: ${server.credentialsFile}\n`);
      const stop = () => {
        process.stdout.write('Lathe shutting down\n');
        void server.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}

/**
 * The sign-in link, as Jupyter prints one: the local admin token from the credentials
 * file this server wrote. A file written by `lathe login` holds another server's token,
 * so then the link is the bare URL and the studio asks for a token.
 */
export function studioSignInLink(url: string, credentialsFile: string): string {
  try {
    const creds = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { token?: string; source?: string };
    if (creds.source === 'local-server' && creds.token) return `${url}/?token=${encodeURIComponent(creds.token)}`;
  } catch {
    // no readable credentials: the bare URL
  }
  return `${url}/`;
}
