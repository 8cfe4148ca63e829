import type { Handlers } from '../http/handler.js';
import type { SecretService } from './secret-service.js';

type Ops = 'listSecrets' | 'setSecret' | 'deleteSecret' | 'rotateSecretKey' | 'getRunSecrets';

export function secretHandlers(secrets: SecretService): Pick<Handlers, Ops> {
  return {
    listSecrets: async (_i, ctx) => ({ items: await secrets.list(ctx.ws) }),
    setSecret: async ({ params, body }, ctx) => secrets.set(ctx.ws, ctx.principal.userId, params.name, body.value),
    deleteSecret: async ({ params }, ctx) => {
      await secrets.delete(ctx.ws, params.name);
      return { ok: true as const };
    },
    rotateSecretKey: async () => secrets.rotate(),
    getRunSecrets: async ({ params }, ctx) => ({ values: await secrets.forRun(ctx.ws, ctx.principal, params.run) }),
  };
}
