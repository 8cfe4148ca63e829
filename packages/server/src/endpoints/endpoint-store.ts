import type { Insertable, Updateable } from 'kysely';
import type { DeploymentRow, EndpointDb, EndpointRow, OnlineDeploymentsTable, OnlineEndpointsTable } from './endpoint-tables.js';

/** Queries for endpoints and deployments; no validation here (the service does it). */
export class EndpointStore {
  constructor(private readonly db: EndpointDb) {}

  endpoint(name: string): Promise<EndpointRow | undefined> {
    return this.db.selectFrom('online_endpoints').selectAll().where('name', '=', name).executeTakeFirst();
  }

  endpoints(wsId: number): Promise<EndpointRow[]> {
    return this.db.selectFrom('online_endpoints').selectAll().where('workspace_id', '=', wsId).orderBy('name').execute();
  }

  allEndpoints(): Promise<EndpointRow[]> {
    return this.db.selectFrom('online_endpoints').selectAll().execute();
  }

  /** Endpoints whose keys are plaintext or sealed under another master key than `activeKeyId`. */
  endpointsToReseal(activeKeyId: string): Promise<EndpointRow[]> {
    return this.db.selectFrom('online_endpoints').selectAll()
      .where((eb) => eb.or([eb('key_id', 'is', null), eb('key_id', '!=', activeKeyId)])).execute();
  }

  /** Replace an endpoint's keys only if they are still `was` (a concurrent change wins); false if they were not. */
  async swapKeys(name: string, was: Pick<EndpointRow, 'primary_key' | 'secondary_key'>, set: Pick<EndpointRow, 'primary_key' | 'secondary_key' | 'key_id'>): Promise<boolean> {
    const r = await this.db.updateTable('online_endpoints').set(set)
      .where('name', '=', name).where('primary_key', '=', was.primary_key).where('secondary_key', '=', was.secondary_key).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async insertEndpoint(row: Insertable<OnlineEndpointsTable>): Promise<void> {
    await this.db.insertInto('online_endpoints').values(row).execute();
  }

  async updateEndpoint(name: string, set: Updateable<OnlineEndpointsTable>): Promise<void> {
    await this.db.updateTable('online_endpoints').set(set).where('name', '=', name).execute();
  }

  async deleteEndpoint(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('online_deployments').where('endpoint_name', '=', name).execute();
      await trx.deleteFrom('online_endpoints').where('name', '=', name).execute();
    });
  }

  deployment(endpoint: string, name: string): Promise<DeploymentRow | undefined> {
    return this.db.selectFrom('online_deployments').selectAll().where('endpoint_name', '=', endpoint).where('name', '=', name).executeTakeFirst();
  }

  deployments(endpoint: string): Promise<DeploymentRow[]> {
    return this.db.selectFrom('online_deployments').selectAll().where('endpoint_name', '=', endpoint).orderBy('name').execute();
  }

  allDeployments(): Promise<DeploymentRow[]> {
    return this.db.selectFrom('online_deployments').selectAll().execute();
  }

  async insertDeployment(row: Insertable<OnlineDeploymentsTable>): Promise<void> {
    await this.db.insertInto('online_deployments').values(row).execute();
  }

  async updateDeployment(endpoint: string, name: string, set: Updateable<OnlineDeploymentsTable>): Promise<void> {
    await this.db.updateTable('online_deployments').set(set).where('endpoint_name', '=', endpoint).where('name', '=', name).execute();
  }

  /** Set state only if the row is still at `generation` (a newer update wins); a ready generation becomes the serving one. */
  async settle(endpoint: string, name: string, generation: number, state: string, message: string | null): Promise<void> {
    await this.db.updateTable('online_deployments')
      .set((eb) => ({
        state, status_message: message, updated_at: Date.now(),
        ...(state === 'Succeeded' ? {
          serving_generation: generation, serving_spec: eb.ref('spec'), serving_model_name: eb.ref('model_name'), serving_model_version: eb.ref('model_version'),
        } : {}),
      }))
      .where('endpoint_name', '=', endpoint).where('name', '=', name).where('generation', '=', generation).execute();
  }

  async deleteDeployment(endpoint: string, name: string): Promise<void> {
    await this.db.deleteFrom('online_deployments').where('endpoint_name', '=', endpoint).where('name', '=', name).execute();
  }

  /** Deployments (endpoint/name) that use a model version. */
  async usersOfModel(wsId: number, model: string, version: number): Promise<string[]> {
    const rows = await this.db.selectFrom('online_deployments').select(['endpoint_name', 'name']).where('workspace_id', '=', wsId)
      .where((eb) => eb.or([
        eb.and([eb('model_name', '=', model), eb('model_version', '=', version)]),
        eb.and([eb('serving_model_name', '=', model), eb('serving_model_version', '=', version)]),
      ])).execute();
    return rows.map((r) => `${r.endpoint_name}/${r.name}`);
  }
}
