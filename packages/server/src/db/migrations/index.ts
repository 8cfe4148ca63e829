import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-models-and-mlflow.js';
import * as m0003 from './0003-environments.js';
import * as m0004 from './0004-endpoints.js';
import * as m0005 from './0005-data.js';
import * as m0006 from './0006-run-list-indexes.js';
import * as m0007 from './0007-endpoint-key-encryption.js';
import * as m0008 from './0008-blob-sizes.js';

/** Migrations listed explicitly, in order; never discovered from the file system. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001-initial': m0001, '0002-models-and-mlflow': m0002, '0003-environments': m0003, '0004-endpoints': m0004, '0005-data': m0005, '0006-run-list-indexes': m0006,
      '0007-endpoint-key-encryption': m0007, '0008-blob-sizes': m0008,
    };
  },
};
