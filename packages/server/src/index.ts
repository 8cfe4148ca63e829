export { startServer, DATABASE_DIALECTS, BLOB_STORES, type RunningServer } from './main.js';
export type { ServerConfig, PrepareHostEnvironment, HostEnvironment } from './config.js';
