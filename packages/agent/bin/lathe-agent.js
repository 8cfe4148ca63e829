#!/usr/bin/env node
// The agent's own entry point: loads only the agent (not the CLI), to start fast.
import { agentMain } from '../dist/agent-main.js';

agentMain(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`lathe agent: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
