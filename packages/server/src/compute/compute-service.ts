import { alreadyExists, notFound, precondition, type Compute } from '@lathe/contract';
import type { Db } from '../db/database.js';

const ACTIVE = ['Preparing', 'Running', 'Finalizing', 'CancelRequested'];

/** Compute targets of a workspace. Every workspace has `local` (processes on the server host). */
export class ComputeService {
  constructor(private readonly db: Db, private readonly localSlots: number) {}

  async ensureLocal(wsId: number): Promise<void> {
    await this.db.insertInto('computes').values({ workspace_id: wsId, name: 'local', type: 'local', slots: this.localSlots, description: 'Processes on the Lathe server host', created_at: Date.now() })
      .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing()).execute();
  }

  async require(wsId: number, name: string): Promise<void> {
    const row = await this.db.selectFrom('computes').select('name').where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
    if (!row) {
      throw notFound(`compute '${name}' does not exist in this workspace. Create it with: lathe compute create --name ${name} --type local`, { compute: name });
    }
  }

  async slots(): Promise<Map<string, { slots: number; type: string }>> {
    const rows = await this.db.selectFrom('computes').select(['workspace_id', 'name', 'slots', 'type']).execute();
    return new Map(rows.map((r) => [`${r.workspace_id}:${r.name}`, { slots: r.slots, type: r.type }]));
  }

  async list(wsId: number): Promise<Compute[]> {
    const rows = await this.db.selectFrom('computes').selectAll().where('workspace_id', '=', wsId).orderBy('name').execute();
    const usage = await this.db.selectFrom('runs').select((eb) => ['compute', 'status', eb.fn.countAll<number>().as('n')])
      .where('workspace_id', '=', wsId).where('status', 'in', [...ACTIVE, 'Queued']).groupBy(['compute', 'status']).execute();
    return rows.map((r) => {
      const mine = usage.filter((u) => u.compute === r.name);
      return {
        name: r.name,
        type: r.type as Compute['type'],
        slots: r.slots,
        slots_in_use: mine.filter((u) => ACTIVE.includes(u.status)).reduce((n, u) => n + Number(u.n), 0),
        queued: mine.filter((u) => u.status === 'Queued').reduce((n, u) => n + Number(u.n), 0),
        description: r.description,
        created_at: Number(r.created_at),
      };
    });
  }

  async get(wsId: number, name: string): Promise<Compute> {
    const found = (await this.list(wsId)).find((c) => c.name === name);
    if (!found) throw notFound(`compute '${name}' not found`);
    return found;
  }

  async create(wsId: number, input: { name: string; type: 'local'; slots?: number | undefined; description?: string | undefined }): Promise<Compute> {
    const existing = await this.db.selectFrom('computes').select('name').where('workspace_id', '=', wsId).where('name', '=', input.name).executeTakeFirst();
    if (existing) throw alreadyExists(`compute '${input.name}' already exists`);
    await this.db.insertInto('computes').values({ workspace_id: wsId, name: input.name, type: input.type, slots: input.slots ?? this.localSlots, description: input.description ?? null, created_at: Date.now() }).execute();
    return this.get(wsId, input.name);
  }

  async delete(wsId: number, name: string): Promise<void> {
    const c = await this.get(wsId, name);
    if (c.slots_in_use > 0 || c.queued > 0) throw precondition(`compute '${name}' has ${c.slots_in_use} running and ${c.queued} queued job(s); cancel them first`);
    await this.db.deleteFrom('computes').where('workspace_id', '=', wsId).where('name', '=', name).execute();
  }
}
