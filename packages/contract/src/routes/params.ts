import { z } from 'zod';

export const WS = '/api/v1/workspaces/:ws';
export const Ws = z.object({ ws: z.string() });
export const WsRun = z.object({ ws: z.string(), run: z.string() });
export const WsName = z.object({ ws: z.string(), name: z.string() });
