import { alreadyExists, type User } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { TokenService } from './token-service.js';

export class UserService {
  constructor(private readonly db: Db, private readonly tokens: TokenService) {}

  async create(name: string, isAdmin = false): Promise<{ user: User; token: string; id: number }> {
    const existing = await this.db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
    if (existing) throw alreadyExists(`user '${name}' already exists`);
    const now = Date.now();
    const row = await this.db.insertInto('users').values({ name, is_admin: isAdmin ? 1 : 0, created_at: now }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    const token = await this.tokens.createUserToken(id, 'default');
    return { id, token, user: { name, is_admin: isAdmin, created_at: now } };
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, is_admin: r.is_admin === 1, created_at: Number(r.created_at) }));
  }
}
