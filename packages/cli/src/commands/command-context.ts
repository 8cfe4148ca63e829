import type { Command } from 'commander';
import type { LatheClient } from '@lathe/client';
import { connect } from '../connection/connect.js';
import { createOutput, type Output, type OutputFormat } from '../output/output.js';

/** What every command needs, made once at the edge. */
export interface CommandContext {
  env: NodeJS.ProcessEnv;
  connect(cmd: Command): { client: LatheClient; out: Output };
  output(cmd: Command): Output;
  writeLog(text: string): void;
  setExitCode(code: number): void;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  workspace?: string;
  output?: OutputFormat;
}

export function createCommandContext(env: NodeJS.ProcessEnv): CommandContext {
  const output = (cmd: Command) => createOutput((cmd.optsWithGlobals() as GlobalOptions).output ?? 'table');
  return {
    env,
    output,
    connect(cmd) {
      const o = cmd.optsWithGlobals() as GlobalOptions;
      return { client: connect(o, env), out: output(cmd) };
    },
    writeLog: (text) => void process.stdout.write(text),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
