import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BrowserRouter, Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { SessionProvider, WorkspaceContext, makeClient, useApi, useSession, type SessionValue } from './api-context';
import { CrumbsProvider, type Crumb } from './crumbs';
import { loadPages, type PageDef } from './page-def';
import { clearSession, lastWorkspace, readSession, rememberWorkspace, takeTokenFromAddress } from './session';
import { applyTheme, currentTheme } from './theme';
import { focusSearch, isTyping } from './keys';
import { SignInPage } from './sign-in-page';
import { ErrorPanel, Loading } from '../components/states';
import { KeyboardIcon, LogoutIcon, MoonIcon, SunIcon } from '../components/icons';

const PAGES: PageDef[] = loadPages(import.meta.glob<{ page?: PageDef }>('../pages/*/page.tsx', { eager: true }));

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="*" element={<SignedIn />} />
      </Routes>
    </BrowserRouter>
  );
}

/**
 * Everything behind a token. The shell renders at once (a deep link's data is fetched in
 * parallel with `whoami`); a token the server refuses signs the user out.
 */
function SignedIn() {
  const navigate = useNavigate();
  const location = useLocation();
  const [session, setSession] = useState(() => {
    takeTokenFromAddress();
    return readSession();
  });
  const client = useMemo(() => (session ? makeClient(session.token) : null), [session]);
  const signOut = useCallback(
    (reason?: string) => {
      clearSession();
      setSession(null);
      navigate(`/signin?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true, state: reason ? { reason } : null });
    },
    [navigate],
  );
  const who = useApi(client ? `whoami:${session?.token.slice(-6)}` : null, () => client!.call('whoami', {}));
  const value = useMemo<SessionValue | null>(
    () => (client && session ? { root: client, whoami: who.data ?? null, token: session.token, signOut } : null),
    [client, session, who.data, signOut],
  );

  if (!session) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (who.error && !who.data) {
    return (
      <div className="center-page">
        <ErrorPanel error={who.error} what="your account" onRetry={who.reload} />
        <button type="button" className="btn" onClick={() => signOut()}>
          Sign in with another token
        </button>
      </div>
    );
  }
  if (!value) return <Loading what="your workspace" />;
  return (
    <SessionProvider value={value}>
      <Routes>
        <Route path="/" element={value.whoami ? <Navigate to={`/w/${encodeURIComponent(defaultWorkspace(value.whoami))}/experiments`} replace /> : <Loading what="your workspaces" />} />
        <Route path="/w/:ws/*" element={<WorkspaceShell />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </SessionProvider>
  );
}

function defaultWorkspace(whoami: NonNullable<SessionValue['whoami']>): string {
  const names = whoami.workspaces.map((w) => w.name);
  const last = lastWorkspace();
  if (last && names.includes(last)) return last;
  return names.includes('default') ? 'default' : (names[0] ?? 'default');
}

function WorkspaceShell() {
  const { ws = 'default' } = useParams();
  const session = useSession();
  const client = useMemo(() => session.root.inWorkspace(ws), [session.root, ws]);
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const [help, setHelp] = useState(false);
  const [theme, setTheme] = useState(currentTheme);
  const navigate = useNavigate();
  const pending = useRef<string | null>(null);

  useEffect(() => rememberWorkspace(ws), [ws]);

  const toggleTheme = useCallback(() => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  }, []);

  // Global keys: `g` then a page's letter, `/` search, `t` theme, `?` help.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (pending.current === 'g') {
        pending.current = null;
        const target = PAGES.find((p) => p.nav?.shortcut === e.key);
        if (target?.nav) {
          e.preventDefault();
          navigate(`/w/${encodeURIComponent(ws)}/${target.nav.path}`);
        }
        return;
      }
      if (e.key === 'g') {
        pending.current = 'g';
        window.setTimeout(() => (pending.current = null), 1200);
      } else if (e.key === '/') {
        if (focusSearch()) e.preventDefault();
      } else if (e.key === 't') {
        toggleTheme();
      } else if (e.key === '?') {
        setHelp((h) => !h);
      } else if (e.key === 'Escape') {
        setHelp(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, ws, toggleTheme]);

  const known = session.whoami === null || session.whoami.workspaces.some((w) => w.name === ws);
  const wsValue = useMemo(() => ({ ws, client }), [ws, client]);
  const base = `/w/${encodeURIComponent(ws)}`;

  return (
    <WorkspaceContext.Provider value={wsValue}>
      <CrumbsProvider value={setCrumbs}>
        <div className="app">
          <aside className="sidebar">
            <Link to={`${base}/experiments`} className="brand">
              <img src="/favicon.svg" alt="" width={22} height={22} />
              <span>Lathe</span>
            </Link>
            <WorkspaceSwitcher current={ws} />
            <nav className="nav" aria-label="Pages">
              {PAGES.filter((p) => p.nav).map((p) => (
                <NavLink key={p.id} to={`${base}/${p.nav!.path}`} end={p.nav!.end} className={({ isActive }) => (isActive ? 'nav-item active' : 'nav-item')}>
                  {p.nav!.icon}
                  <span>{p.nav!.label}</span>
                  {p.nav!.shortcut ? <kbd className="nav-key">g {p.nav!.shortcut}</kbd> : null}
                </NavLink>
              ))}
            </nav>
            <div className="sidebar-foot">
              <button type="button" className="icon-btn" onClick={toggleTheme} title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme (t)`} aria-label="Toggle theme">
                {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
              </button>
              <button type="button" className="icon-btn" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
                <KeyboardIcon />
              </button>
              <span className="user" title={session.whoami?.is_admin ? 'administrator' : 'user'}>
                {session.whoami?.user ?? ''}
              </span>
              <button type="button" className="icon-btn" onClick={() => session.signOut()} title="Sign out" aria-label="Sign out">
                <LogoutIcon />
              </button>
            </div>
          </aside>
          <main className="main">
            <header className="topbar">
              <nav className="crumbs" aria-label="Breadcrumbs">
                {crumbs.map((c, i) => (
                  <span key={i} className="crumb">
                    {i > 0 ? <span className="crumb-sep">/</span> : null}
                    {c.to && i < crumbs.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span className={i === crumbs.length - 1 ? 'crumb-here' : ''}>{c.label}</span>}
                  </span>
                ))}
              </nav>
            </header>
            <div className="content">
              {known ? (
                <Routes>
                  <Route index element={<Navigate to="experiments" replace />} />
                  {PAGES.flatMap((p) => p.routes.map((r) => <Route key={`${p.id}:${r.path}`} path={r.path} element={r.element} />))}
                  <Route path="*" element={<NotFound />} />
                </Routes>
              ) : (
                <div className="page">
                  <ErrorPanel error={new Error(`You are not a member of a workspace named '${ws}', or it does not exist. Pick one of yours from the workspace menu.`)} what={`workspace '${ws}'`} />
                </div>
              )}
            </div>
          </main>
          {help ? <ShortcutsDialog onClose={() => setHelp(false)} /> : null}
        </div>
      </CrumbsProvider>
    </WorkspaceContext.Provider>
  );
}

function WorkspaceSwitcher({ current }: { current: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const items = session.whoami?.workspaces ?? [];
  return (
    <label className="ws-switch" title="Workspace">
      <span className="ws-label">Workspace</span>
      <select aria-label="Workspace" value={current} onChange={(e) => navigate(`/w/${encodeURIComponent(e.target.value)}/experiments`)}>
        {items.some((w) => w.name === current) ? null : <option value={current}>{current}</option>}
        {items.map((w) => (
          <option key={w.name} value={w.name}>
            {w.name} · {w.role}
          </option>
        ))}
      </select>
    </label>
  );
}

const SHORTCUTS: Array<[string, string]> = [
  ['g e', 'Experiments'],
  ['g r', 'All runs'],
  ['g c', 'Compute'],
  ['/', 'Search or filter'],
  ['j / k, ↑ / ↓', 'Move through table rows'],
  ['Enter', 'Open the highlighted run'],
  ['x', 'Select the highlighted run for comparison'],
  ['c', 'Compare the selected runs'],
  ['[ / ]', 'Previous / next tab of a run'],
  ['t', 'Light or dark theme'],
  ['?', 'This help'],
];

function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="presentation" onClick={onClose}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <div className="dialog-title">Keyboard shortcuts</div>
        <table className="kv">
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" className="btn" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}

function NotFound() {
  const location = useLocation();
  return (
    <div className="page">
      <ErrorPanel error={new Error(`Nothing lives at ${location.pathname}.`)} what="this page" />
      <Link to="/">Go to the start page</Link>
    </div>
  );
}
