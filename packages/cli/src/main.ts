import { Command, CommanderError, Option } from 'commander';
import { LatheError } from '@lathe/contract';
import { LATHE_VERSION } from './version.js';
import { createCommandContext } from './commands/command-context.js';
import { serverCommand } from './commands/server-command.js';
import { agentCommand } from './commands/agent-command.js';
import { loginCommand } from './commands/login-command.js';
import { jobCommands } from './commands/job-commands.js';
import { computeCommands } from './commands/compute-commands.js';
import { environmentCommands } from './commands/environment-commands.js';
import { modelCommands } from './commands/model-commands.js';
import { endpointCommands } from './commands/endpoint-commands.js';
import { workspaceCommands } from './commands/workspace-commands.js';
import { studioCommand } from './commands/studio-command.js';
import { secretCommands } from './commands/secret-commands.js';
import { datastoreCommands } from './commands/datastore-commands.js';
import { dataCommands } from './commands/data-commands.js';
import { EXIT } from './commands/exit-codes.js';
import { JobFileError } from './job-file/job-file-error.js';
import { SnapshotTooLargeError } from './snapshot/snapshot-too-large-error.js';

export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const ctx = createCommandContext(env);
  const program = new Command('lathe')
    .description('Lathe: a self-hosted machine-learning workspace')
    .option('--url <url>', 'server URL (default: from $LATHE_HOME/credentials)')
    .option('--token <token>', 'API token (default: from $LATHE_HOME/credentials)')
    .option('-w, --workspace <name>', 'workspace (default: from credentials, else "default")')
    .addOption(new Option('-o, --output <format>', 'result format').choices(['table', 'json']).default('table'))
    .showHelpAfterError()
    .exitOverride();
  serverCommand(program, env);
  agentCommand(program, env);
  loginCommand(program, ctx);
  jobCommands(program, ctx);
  computeCommands(program, ctx);
  environmentCommands(program, ctx);
  modelCommands(program, ctx);
  endpointCommands(program, ctx);
  workspaceCommands(program, ctx);
  studioCommand(program, ctx);
  secretCommands(program, ctx);
  datastoreCommands(program, ctx);
  dataCommands(program, ctx);
  return program;
}

/** Run the CLI; errors become one readable line on stderr and a meaningful exit code. */
export async function main(argv: string[]): Promise<void> {
  // Not commander's .version(): its global --version would swallow `model show --version 3`.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${LATHE_VERSION}\n`);
    return;
  }
  const program = buildProgram(process.env);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof LatheError) {
      process.stderr.write(`Error: ${err.message} [${err.code}]\n`);
    } else if (err instanceof JobFileError || err instanceof SnapshotTooLargeError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      process.stderr.write(`Error: ${(err as Error).message ?? String(err)}\n`);
    }
    process.exitCode = EXIT.error;
  }
}
