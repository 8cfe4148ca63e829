/** Node-only parts of the client (kept out of the main entry, which the studio bundles for browsers). */
export { nodeUploadTransport } from './node-upload.js';
