import { homedir } from 'node:os';
import { join } from 'node:path';

/** $LATHE_HOME, default ~/.lathe: credentials and the default data folder. */
export function latheHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.LATHE_HOME ?? join(homedir(), '.lathe');
}
