import type { EndpointKeys } from '@lathe/contract';
import type { Keyring } from '../secrets/master-key.js';
import type { SealedValues } from '../secrets/secret-service.js';
import type { EndpointStore } from './endpoint-store.js';
import type { EndpointRow } from './endpoint-tables.js';

type KeyColumns = Pick<EndpointRow, 'primary_key' | 'secondary_key' | 'key_id'>;

const aad = (wsId: number, endpoint: string, slot: 'primary' | 'secondary') => `lathe-endpoint-key/${wsId}/${endpoint}/${slot}`;

/**
 * Endpoint keys at rest: sealed with AES-256-GCM under the vault's master key, as secrets
 * are, each bound to its endpoint and slot. Every write seals both keys under the active
 * master key, so a row's one `key_id` says what opens them.
 */
export class EndpointKeyVault implements SealedValues {
  constructor(private readonly store: EndpointStore, private readonly keys: Keyring) {}

  /** The columns that hold `keys` for an endpoint. */
  seal(wsId: number, endpoint: string, keys: EndpointKeys): KeyColumns {
    return {
      primary_key: this.keys.sealText(keys.primaryKey, aad(wsId, endpoint, 'primary')),
      secondary_key: this.keys.sealText(keys.secondaryKey, aad(wsId, endpoint, 'secondary')),
      key_id: this.keys.activeId,
    };
  }

  open(row: EndpointRow): EndpointKeys {
    const wsId = Number(row.workspace_id);
    return {
      primaryKey: this.keys.openText(row.primary_key, aad(wsId, row.name, 'primary'), `the primary key of endpoint '${row.name}'`),
      secondaryKey: this.keys.openText(row.secondary_key, aad(wsId, row.name, 'secondary'), `the secondary key of endpoint '${row.name}'`),
    };
  }

  /**
   * Seal keys still in plaintext (rows from before keys were sealed) and re-seal those under
   * an older master key. Run at start, before anything reads keys, and by key rotation.
   */
  async reencryptAll(): Promise<number> {
    let changed = 0;
    for (const row of await this.store.endpointsToReseal(this.keys.activeId)) {
      const plain = row.key_id === null ? { primaryKey: row.primary_key, secondaryKey: row.secondary_key } : this.open(row);
      // Compare-and-set: a key regenerated meanwhile is already sealed under the active key and must not be overwritten.
      if (await this.store.swapKeys(row.name, row, this.seal(Number(row.workspace_id), row.name, plain))) changed++;
    }
    return changed;
  }
}
