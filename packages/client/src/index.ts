export { LatheClient, type ClientOptions, type CallInput, type UploadBody, type UploadTransport, type SseEvent } from './lathe-client.js';
export { RunLogger, type RunLoggerOptions } from './run-logger.js';
