import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LatheClient } from '@lathe/client';
import { nodeUploadTransport } from '@lathe/client/node';
import { LatheError } from '@lathe/contract';
import { latheHome } from './lathe-home.js';

export interface ConnectionFlags {
  url?: string;
  token?: string;
  workspace?: string;
}

interface CredentialsFile {
  url?: string;
  token?: string;
  workspace?: string;
}

export function readCredentials(env: Readonly<Record<string, string | undefined>>): CredentialsFile {
  try {
    return JSON.parse(readFileSync(join(latheHome(env), 'credentials'), 'utf8')) as CredentialsFile;
  } catch {
    return {};
  }
}

/** Flags, then environment, then $LATHE_HOME/credentials (written by `lathe server` or `lathe login`). */
export function connect(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): LatheClient {
  const creds = readCredentials(env);
  const url = flags.url ?? env.LATHE_URL ?? creds.url;
  const token = flags.token ?? env.LATHE_TOKEN ?? creds.token;
  const workspace = flags.workspace ?? env.LATHE_WORKSPACE ?? creds.workspace ?? 'default';
  if (!url || !token) {
    throw new LatheError('UNAUTHENTICATED', `no Lathe server configured: start one with 'lathe server', or run 'lathe login --url URL --token TOKEN' (looked in ${join(latheHome(env), 'credentials')})`);
  }
  return new LatheClient({ url, token, workspace, upload: nodeUploadTransport });
}
