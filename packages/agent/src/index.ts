export { runAgent } from './run-agent.js';
export { agentConfigFromEnv, type AgentConfig } from './agent-config.js';
export { EnvironmentCache, environmentConfigFromEnv, prepareEnvironment, activateEnvironment, type PreparedEnvironment } from './environments/index.js';
export { agentMain } from './agent-main.js';
