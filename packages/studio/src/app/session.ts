/**
 * The studio's sign-in session: the token lives in sessionStorage (this tab and the tabs
 * it opens), or in localStorage when the user asked to stay signed in. A `?token=` in the
 * address (the link `lathe server` prints) is taken once and removed from the address bar
 * and history, so it is not bookmarked, shared or sent as a referrer.
 */
const TOKEN_KEY = 'lathe.token';
const WORKSPACE_KEY = 'lathe.workspace';

export interface Session {
  token: string;
}

function stores(): Storage[] {
  const out: Storage[] = [];
  try {
    out.push(window.sessionStorage);
  } catch {
    // storage disabled
  }
  try {
    out.push(window.localStorage);
  } catch {
    // storage disabled
  }
  return out;
}

export function readSession(): Session | null {
  for (const s of stores()) {
    const token = s.getItem(TOKEN_KEY);
    if (token) return { token };
  }
  return null;
}

export function saveSession(token: string, remember = false): void {
  clearSession();
  const [session, local] = stores();
  (remember ? local : session)?.setItem(TOKEN_KEY, token);
}

export function clearSession(): void {
  for (const s of stores()) s.removeItem(TOKEN_KEY);
}

/** The workspace last used in this browser, to open when a link names none. */
export function lastWorkspace(): string | null {
  try {
    return window.localStorage.getItem(WORKSPACE_KEY);
  } catch {
    return null;
  }
}

export function rememberWorkspace(ws: string): void {
  try {
    window.localStorage.setItem(WORKSPACE_KEY, ws);
  } catch {
    // storage disabled
  }
}

/**
 * Take `?token=` (and `?workspace=`) from the address: store the token, then rewrite the
 * address without them (replaceState, so Back does not return to the token).
 */
export function takeTokenFromAddress(): { token: string | null; workspace: string | null } {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  const workspace = url.searchParams.get('workspace');
  if (token === null && workspace === null) return { token: null, workspace: null };
  url.searchParams.delete('token');
  url.searchParams.delete('workspace');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  if (token) saveSession(token);
  if (workspace) rememberWorkspace(workspace);
  return { token, workspace };
}
