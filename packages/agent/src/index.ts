export { runAgent } from './run-agent.js';
export { agentConfigFromEnv, type AgentConfig } from './agent-config.js';
