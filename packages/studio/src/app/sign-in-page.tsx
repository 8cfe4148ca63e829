import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { LatheError } from '@lathe/contract';
import { makeClient } from './api-context';
import { saveSession } from './session';
import { describeError } from '../components/states';

/** Sign in with a personal token (other users than the local admin, or after signing out). */
export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const next = params.get('next') ?? '/';
  const reason = (location.state as { reason?: string } | null)?.reason;
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Paste your token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const who = await makeClient(t).call('whoami', {});
      if (who.user === null) throw new LatheError('PERMISSION_DENIED', 'this is a run-scoped token; sign in with a user token');
      saveSession(t, remember);
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      const d = describeError(err);
      setError(err instanceof LatheError && err.code === 'UNAUTHENTICATED' ? 'This server does not accept that token.' : `${d.title}: ${d.detail}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit}>
        <div className="signin-brand">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <div>
            <div className="signin-title">Sign in to Lathe</div>
            <div className="muted">{window.location.host}</div>
          </div>
        </div>
        {reason ? <div className="notice">{reason}</div> : null}
        <label className="field">
          <span>Token</span>
          <input type="password" autoComplete="current-password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} placeholder="Paste your personal token" aria-invalid={error !== null} />
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          Keep me signed in on this browser
        </label>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        <button className="btn primary wide" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <div className="signin-help">
          On the server's machine, <code>lathe studio</code> opens a signed-in link. An administrator creates a user and its token with <code>lathe user create -n NAME</code>.
        </div>
      </form>
    </div>
  );
}
