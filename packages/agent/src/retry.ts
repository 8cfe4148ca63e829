import { LatheError } from '@lathe/contract';

export interface RetryOptions {
  /** Give up after this long (the server may be restarting). */
  maxMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: Error, attempt: number) => void;
}

/** Errors worth waiting out: the server is unreachable, overloaded or restarting. */
export function isTransient(err: unknown): boolean {
  if (err instanceof LatheError) return err.code === 'UNAVAILABLE' || err.code === 'INTERNAL' || err.code === 'RESOURCE_EXHAUSTED' || err.code === 'DEADLINE_EXCEEDED';
  return true;
}

/** Run `fn` until it succeeds or fails for good; transient failures back off exponentially. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const start = Date.now();
  let delay = o.firstDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || Date.now() - start + delay > o.maxMs) throw err;
      o.onRetry?.(err as Error, attempt);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, o.maxDelayMs ?? 5000);
    }
  }
}
