import { z } from 'zod';
import { route } from '../route.js';
import { Ok } from '../resources/common.js';
import { KeyRotation, RunSecrets, SecretInfo, SetSecret } from '../resources/secret.js';
import { WS, Ws, WsName, WsRun } from './params.js';

export const secretRoutes = {
  listSecrets: route({ method: 'GET', path: `${WS}/secrets`, tag: 'secrets', summary: 'Secret names, versions and times (never values).', params: Ws, response: z.object({ items: z.array(SecretInfo) }) }),
  setSecret: route({ method: 'PUT', path: `${WS}/secrets/:name`, tag: 'secrets', summary: 'Create a secret or store a new version of it.', params: WsName, body: SetSecret, response: SecretInfo }),
  deleteSecret: route({ method: 'DELETE', path: `${WS}/secrets/:name`, tag: 'secrets', summary: 'Delete a secret.', params: WsName, response: Ok }),
  rotateSecretKey: route({ method: 'POST', path: '/api/v1/secrets/rotate-key', tag: 'secrets', summary: 'Make a new master key and re-encrypt every secret with it (admins; key-file keys only).', auth: 'admin', response: KeyRotation }),
  getRunSecrets: route({ method: 'POST', path: `${WS}/runs/:run/secrets`, tag: 'secrets', summary: "The values of the secrets a run's job references; only that run's own token, while it prepares or runs.", params: WsRun, response: RunSecrets }),
} as const;
