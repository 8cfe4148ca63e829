import type { ReactNode } from 'react';
import { LatheError } from '@lathe/contract';

/** What went wrong, in words a person can act on. */
export function describeError(error: unknown): { title: string; detail: string; hint?: string; code?: string } {
  if (error instanceof LatheError) {
    const detail = error.message;
    switch (error.code) {
      case 'UNAVAILABLE':
        return { code: error.code, title: 'Cannot reach the Lathe server', detail, hint: 'Check that `lathe server` is running and reachable from this browser, then retry.' };
      case 'UNAUTHENTICATED':
        return { code: error.code, title: 'Your token was not accepted', detail, hint: 'Sign in again with a valid token.' };
      case 'PERMISSION_DENIED':
        return { code: error.code, title: 'You do not have access to this', detail, hint: 'A workspace owner can give you a role: `lathe workspace add-member`.' };
      case 'NOT_FOUND':
        return { code: error.code, title: 'Not found', detail };
      case 'INVALID_ARGUMENT':
        return { code: error.code, title: 'The server refused the request', detail };
      case 'INTERNAL':
        return { code: error.code, title: 'The server failed', detail, hint: 'The server log has the details.' };
      default:
        return { code: error.code, title: 'The request failed', detail };
    }
  }
  return { title: 'Something went wrong', detail: error instanceof Error ? error.message : String(error) };
}

export function ErrorPanel({ error, what, onRetry, compact }: { error: unknown; what?: string; onRetry?: () => void; compact?: boolean }) {
  const d = describeError(error);
  return (
    <div className={compact ? 'error-panel compact' : 'error-panel'} role="alert">
      <div className="error-title">
        {what ? `Could not load ${what}: ` : ''}
        {d.title}
        {d.code ? <span className="error-code">{d.code}</span> : null}
      </div>
      <div className="error-detail">{d.detail}</div>
      {d.hint ? <div className="error-hint">{d.hint}</div> : null}
      {onRetry ? (
        <button type="button" className="btn small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ what, inline }: { what: string; inline?: boolean }) {
  return (
    <div className={inline ? 'loading inline' : 'loading'} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{title}</div>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}
