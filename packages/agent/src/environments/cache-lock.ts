import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Who holds a lock: enough to tell a live holder from a dead one. */
export interface LockHolder {
  token: string;
  pid: number;
  host: string;
  run: string;
  since: number;
}

export interface LockOptions {
  /** How often a waiter looks again. */
  pollMs?: number;
  /** A holder on another host is presumed dead after this long. */
  staleMs?: number;
  /** Give up after this long; 0 tries once (returns null when busy). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once, when the lock is first found busy. */
  onWait?: (holder: LockHolder) => void;
  /** Called on every poll while waiting. */
  onPoll?: () => Promise<void>;
}

export interface HeldLock {
  release(): Promise<void>;
}

/** Whether a process of this host is alive (EPERM: it is, but another user's). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function readHolder(path: string): Promise<LockHolder | null | 'gone'> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : null;
  }
}

/**
 * A lock file made atomically: the holder's details are written to a private file first,
 * then hard-linked to the lock's name, which fails if the name exists. So the lock
 * never exists half-written, and it works across processes (and hosts sharing a
 * file system). A lock whose holder died (its pid is gone on this host) is taken over.
 */
export async function acquireLock(path: string, who: { pid: number; run: string }, o: LockOptions = {}): Promise<HeldLock | null> {
  const me: LockHolder = { token: randomBytes(8).toString('hex'), pid: who.pid, host: hostname(), run: who.run, since: Date.now() };
  const mine = `${path}.${me.token}.tmp`;
  await writeFile(mine, JSON.stringify(me));
  const started = Date.now();
  let announced = false;
  try {
    for (;;) {
      try {
        await link(mine, path);
        return { release: () => releaseLock(path, me.token) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readHolder(path);
      if (holder === 'gone') continue;
      if (await isStale(path, holder, o.staleMs ?? 6 * 3_600_000)) {
        await takeOver(path, holder, me.token);
        continue;
      }
      if (o.timeoutMs === 0) return null;
      if (!announced && holder !== null) {
        announced = true;
        o.onWait?.(holder);
      }
      if (o.timeoutMs !== undefined && Date.now() - started > o.timeoutMs) {
        throw new Error(`timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${path} (held by run ${holder?.run ?? '?'}, pid ${holder?.pid ?? '?'})`);
      }
      o.signal?.throwIfAborted();
      await o.onPoll?.();
      await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

async function isStale(path: string, holder: LockHolder | null, staleMs: number): Promise<boolean> {
  if (holder === null) {
    // Unreadable: only a foreign writer could do this; trust it for a while.
    const st = await stat(path).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > 60_000;
  }
  if (holder.host === hostname()) return !alive(holder.pid);
  return Date.now() - holder.since > staleMs;
}

/**
 * Move a dead holder's lock aside. If, in a race, what was moved is not the dead
 * holder's (another waiter took over first), it is put back.
 */
async function takeOver(path: string, dead: LockHolder | null, token: string): Promise<void> {
  const aside = `${path}.stale-${token}`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already: someone else took over
  }
  const moved = await readHolder(aside);
  if (dead !== null && moved !== null && moved !== 'gone' && moved.token !== dead.token) {
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function releaseLock(path: string, token: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder !== null && holder !== 'gone' && holder.token === token) await unlink(path).catch(() => undefined);
}
