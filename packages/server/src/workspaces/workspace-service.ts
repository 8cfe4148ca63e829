import { alreadyExists, LatheError, notFound, workspaceName, type Role, type Workspace } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { TtlCache } from '../caching/ttl-cache.js';

export interface WorkspaceRef {
  id: number;
  name: string;
  role: Role;
}

export type Access = 'read' | 'write' | 'owner';

const RANK: Record<Role, number> = { reader: 0, contributor: 1, owner: 2 };
const NEEDED: Record<Access, number> = { read: 0, write: 1, owner: 2 };

/** Workspaces, membership and the role check every workspace-scoped call goes through. */
export class WorkspaceService {
  /** Who may do what where, by principal and workspace name: skips two lookups on most calls. */
  private readonly roles = new TtlCache<{ id: number; name: string; role: Role }>(5_000);
  private readonly names = new TtlCache<string>(5_000);

  constructor(
    private readonly db: Db,
    private readonly onCreated: (ws: WorkspaceRef) => Promise<void>,
  ) {}

  async resolve(principal: Principal, name: string, access: Access): Promise<WorkspaceRef> {
    const key = `${principal.kind === 'run' ? `run:${principal.runId}` : `user:${principal.userId}:${principal.isAdmin}`}:${name}`;
    let known = this.roles.get(key);
    if (!known) {
      known = await this.lookup(principal, name);
      this.roles.set(key, known);
    }
    if (RANK[known.role] < NEEDED[access]) {
      throw new LatheError('PERMISSION_DENIED', `this needs the ${access === 'owner' ? 'owner' : 'contributor'} role in workspace '${name}'; you are ${known.role}`);
    }
    return { ...known };
  }

  private async lookup(principal: Principal, name: string): Promise<WorkspaceRef> {
    const ws = await this.db.selectFrom('workspaces').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
    // The same answer for "absent" and "not yours", so names of other workspaces do not leak.
    const denied = () => new LatheError('PERMISSION_DENIED', `no access to workspace '${name}' (it does not exist, or this token is not a member)`);
    if (!ws) throw denied();
    const id = Number(ws.id);
    let role: Role;
    if (principal.kind === 'run') {
      if (principal.workspaceId !== id) throw denied();
      role = 'contributor';
    } else if (principal.isAdmin) {
      role = 'owner';
    } else {
      const m = await this.db.selectFrom('members').select('role').where('workspace_id', '=', id).where('user_id', '=', principal.userId).executeTakeFirst();
      if (!m) throw denied();
      role = m.role as Role;
    }
    return { id, name: ws.name, role };
  }

  /** The name of workspace `id` (a run token's own), for callers that name none. */
  async nameOf(id: number): Promise<string | undefined> {
    const known = this.names.get(String(id));
    if (known) return known;
    const ws = await this.db.selectFrom('workspaces').select('name').where('id', '=', id).executeTakeFirst();
    if (ws) this.names.set(String(id), ws.name);
    return ws?.name;
  }

  async list(principal: Principal): Promise<Workspace[]> {
    if (principal.kind === 'run') {
      const ws = await this.db.selectFrom('workspaces').selectAll().where('id', '=', principal.workspaceId).execute();
      return ws.map((w) => ({ name: w.name, created_at: Number(w.created_at), role: 'contributor' as const }));
    }
    if (principal.isAdmin) {
      const ws = await this.db.selectFrom('workspaces').selectAll().orderBy('name').execute();
      return ws.map((w) => ({ name: w.name, created_at: Number(w.created_at), role: 'owner' as const }));
    }
    const rows = await this.db
      .selectFrom('workspaces')
      .innerJoin('members', 'members.workspace_id', 'workspaces.id')
      .select(['workspaces.name', 'workspaces.created_at', 'members.role'])
      .where('members.user_id', '=', principal.userId)
      .orderBy('workspaces.name')
      .execute();
    return rows.map((r) => ({ name: r.name, created_at: Number(r.created_at), role: r.role as Role }));
  }

  async create(principal: Principal, name: string): Promise<Workspace> {
    if (principal.kind === 'run') throw new LatheError('PERMISSION_DENIED', 'a run token cannot create workspaces');
    workspaceName(name);
    const existing = await this.db.selectFrom('workspaces').select('id').where('name', '=', name).executeTakeFirst();
    if (existing) throw alreadyExists(`workspace '${name}' already exists`);
    const now = Date.now();
    const row = await this.db.insertInto('workspaces').values({ name, created_at: now }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    await this.db.insertInto('members').values({ workspace_id: id, user_id: principal.userId, role: 'owner' }).execute();
    await this.onCreated({ id, name, role: 'owner' });
    return { name, created_at: now, role: 'owner' };
  }

  async setMember(ws: WorkspaceRef, userName: string, role: Role): Promise<{ user: string; role: Role }> {
    const user = await this.db.selectFrom('users').select('id').where('name', '=', userName).executeTakeFirst();
    if (!user) throw notFound(`user '${userName}' not found`);
    await this.db.deleteFrom('members').where('workspace_id', '=', ws.id).where('user_id', '=', Number(user.id)).execute();
    await this.db.insertInto('members').values({ workspace_id: ws.id, user_id: Number(user.id), role }).execute();
    this.roles.clear();
    return { user: userName, role };
  }

  async members(ws: WorkspaceRef): Promise<Array<{ user: string; role: Role }>> {
    const rows = await this.db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['users.name', 'members.role'])
      .where('members.workspace_id', '=', ws.id)
      .orderBy('users.name')
      .execute();
    return rows.map((r) => ({ user: r.name, role: r.role as Role }));
  }
}
