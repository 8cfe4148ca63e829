export { EnvironmentCache, type MaterializedEnvironment, type CacheMarker, type CacheEntry } from './environment-cache.js';
export { environmentConfigFromEnv, type EnvironmentCacheConfig } from './environment-config.js';
export { EnvironmentBuildError } from './environment-build-error.js';
export { prepareEnvironment, activateEnvironment, type PreparedEnvironment } from './prepare-environment.js';
export { acquireLock, type LockHolder } from './cache-lock.js';
