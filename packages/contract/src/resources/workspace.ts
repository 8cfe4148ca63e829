import { z } from 'zod';
import { Millis } from './common.js';

export const ROLES = ['owner', 'contributor', 'reader'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Workspace = z.object({ name: z.string(), created_at: Millis, role: Role });
export type Workspace = z.infer<typeof Workspace>;

export const CreateWorkspace = z.object({ name: z.string().min(1) });

export const User = z.object({ name: z.string(), is_admin: z.boolean(), created_at: Millis });
export type User = z.infer<typeof User>;

export const CreateUser = z.object({ name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,127}$/) });
export const CreatedUser = z.object({ user: User, token: z.string() });

export const AddMember = z.object({ user: z.string(), role: Role });
export const Member = z.object({ user: z.string(), role: Role });

export const WhoAmI = z.object({
  user: z.string().nullable(),
  is_admin: z.boolean(),
  run_id: z.string().nullable(),
  workspaces: z.array(Workspace),
});
