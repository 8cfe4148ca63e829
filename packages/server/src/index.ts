export { startServer, DATABASE_DIALECTS, BLOB_STORES, type RunningServer } from './main.js';
export type { ServerConfig } from './config.js';
