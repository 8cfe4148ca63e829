import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';

/** Migrations listed explicitly, in order; never discovered from the file system. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001-initial': m0001 };
  },
};
