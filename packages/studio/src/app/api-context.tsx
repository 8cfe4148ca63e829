import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { LatheClient } from '@lathe/client';
import { LatheError, type RouteResponse, type Routes } from '@lathe/contract';

export type WhoAmI = RouteResponse<Routes['whoami']>;

export interface SessionValue {
  /** A client for the signed-in user, aimed at no particular workspace. */
  root: LatheClient;
  /** Null while it is being fetched: pages render at once and do not wait for it. */
  whoami: WhoAmI | null;
  token: string;
  signOut(reason?: string): void;
}

export const SessionContext = createContext<SessionValue | null>(null);
export const WorkspaceContext = createContext<{ ws: string; client: LatheClient } | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside the signed-in shell');
  return v;
}

/** The current workspace's name and a client aimed at it. */
export function useWorkspace(): { ws: string; client: LatheClient } {
  const v = useContext(WorkspaceContext);
  if (!v) throw new Error('useWorkspace outside a workspace route');
  return v;
}

export function makeClient(token: string, workspace?: string): LatheClient {
  return new LatheClient({ url: window.location.origin, token, workspace });
}

// Results by key, so Back shows the last answer at once while it is fetched again.
const cache = new Map<string, unknown>();
const CACHE_LIMIT = 200;

function remember(key: string, value: unknown): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
}

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  /** True while the first answer for this key is awaited (not during polls). */
  loading: boolean;
  reload(): void;
}

/**
 * Load `key` with `load`; `key === null` loads nothing. Keeps the previous answer while a
 * poll (`pollMs`) or reload runs; an answer for a key that is no longer current is dropped.
 * A refused token signs the user out.
 */
export function useApi<T>(key: string | null, load: () => Promise<T>, opts: { pollMs?: number | false } = {}): ApiState<T> {
  const session = useContext(SessionContext);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: unknown; loading: boolean }>(() => ({
    key,
    data: key === null ? undefined : (cache.get(key) as T | undefined),
    error: undefined,
    loading: key !== null && !cache.has(key),
  }));
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((s) => (s.key === key ? s : { key, data: cache.get(key) as T | undefined, error: undefined, loading: !cache.has(key) }));
    loadRef.current().then(
      (data) => {
        if (!current) return;
        remember(key, data);
        setState({ key, data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!current) return;
        if (error instanceof LatheError && error.code === 'UNAUTHENTICATED') session?.signOut('The server no longer accepts your token. Sign in again.');
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, loading: false }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, tick, session]);

  useEffect(() => {
    if (!opts.pollMs || key === null) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, opts.pollMs);
    return () => window.clearInterval(id);
  }, [key, opts.pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const same = state.key === key;
  return {
    data: same ? state.data : key === null ? undefined : (cache.get(key) as T | undefined),
    error: same ? state.error : undefined,
    loading: same ? state.loading : key !== null && !cache.has(key),
    reload,
  };
}

export function SessionProvider({ value, children }: { value: SessionValue; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
