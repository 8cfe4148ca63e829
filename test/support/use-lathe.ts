import { afterAll, beforeAll } from 'vitest';
import { cleanup, startLathe, type LatheProcess, type StartOptions } from './lathe-process.js';

/**
 * One real server for a describe block: started before its tests, stopped (and its
 * LATHE_HOME removed) after. Returns a getter, since the server exists only once started.
 */
export function useLathe(options: StartOptions = {}): () => LatheProcess {
  let lathe: LatheProcess | undefined;
  beforeAll(async () => {
    lathe = await startLathe(options);
  });
  afterAll(async () => {
    if (!lathe) return;
    await lathe.stop();
    cleanup(lathe.home);
  });
  return () => {
    if (!lathe) throw new Error('the server is not started yet (use it inside a test)');
    return lathe;
  };
}
