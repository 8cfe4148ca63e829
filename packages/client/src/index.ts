export { LatheClient, type ClientOptions, type CallInput, type UploadBody, type SseEvent } from './lathe-client.js';
