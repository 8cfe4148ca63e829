import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { resolveStudioPath } from './studio-files.js';

const root = resolve('/srv/studio/dist');

describe('resolveStudioPath', () => {
  it('serves files under the root', () => {
    expect(resolveStudioPath(root, '/assets/index-abc.js')).toEqual({ kind: 'file', file: resolve(root, 'assets/index-abc.js') });
    expect(resolveStudioPath(root, '/favicon.svg?v=1')).toEqual({ kind: 'file', file: resolve(root, 'favicon.svg') });
  });

  it('answers client-side routes with the app', () => {
    expect(resolveStudioPath(root, '/')).toEqual({ kind: 'app' });
    expect(resolveStudioPath(root, '/?token=abc')).toEqual({ kind: 'app' });
    expect(resolveStudioPath(root, '/w/default/runs/brave_fox_1')).toEqual({ kind: 'app' });
    expect(resolveStudioPath(root, '/w/default/experiments/my%20exp')).toEqual({ kind: 'app' });
    expect(resolveStudioPath(root, '/w/default/experiments/v1.2')).toEqual({ kind: 'app' });
    expect(resolveStudioPath(root, '/signin')).toEqual({ kind: 'app' });
  });

  it('leaves API paths to the API', () => {
    expect(resolveStudioPath(root, '/api/v1/nothing')).toEqual({ kind: 'api' });
    expect(resolveStudioPath(root, '/api/2.0/mlflow/runs/get')).toEqual({ kind: 'api' });
    expect(resolveStudioPath(root, '/health')).toEqual({ kind: 'api' });
  });

  it('never leaves the root', () => {
    for (const p of ['/../secret.txt', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/a/%00.js', '/..\\..\\x.js', '/%E0%A4%A.js']) {
      expect(resolveStudioPath(root, p).kind, p).toBe('missing');
    }
  });
});
