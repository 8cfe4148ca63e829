import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { environmentBuildKey, ENVIRONMENT_FORMAT, type EnvironmentSpec } from '@lathe/contract';
import { acquireLock, alive } from './cache-lock.js';
import type { BuildLog } from './build-process.js';
import { EnvironmentBuildError } from './environment-build-error.js';
import type { EnvironmentCacheConfig } from './environment-config.js';
import { mergeActivations, NO_ACTIVATION, type Activation } from './activation.js';
import { buildPython } from './python-builder.js';
import { buildNpm } from './npm-builder.js';

const MARKER = '.lathe-env.json';
const USERS = '.users';
const LAST_USED = '.last-used';
const HASH_DIR = /^[0-9a-f]{64}$/;
const EVICTION_EVERY_MS = 3_600_000;

/** Written last, by an atomic rename: an entry without it is a half-built one and never used. */
export interface CacheMarker {
  format: number;
  hash: string;
  python: EnvironmentSpec['python'];
  npm: EnvironmentSpec['npm'];
  built_at: number;
  build_ms: number;
  size_bytes: number;
  built_by: { run: string; pid: number; host: string };
  interpreter: { path: string; version: string } | null;
  activation: Activation;
  /** Paths (relative to the entry) that must resolve for the entry to be usable, e.g. venv/bin/python. */
  required: string[];
}

export interface MaterializedEnvironment {
  hash: string;
  dir: string;
  /** Built by this call (false: found in the cache, possibly after waiting for another run's build). */
  built: boolean;
  marker: CacheMarker;
  /** From the call to the environment being usable. */
  readyMs: number;
  /** The run is done with it: it may be evicted again. */
  release(): Promise<void>;
}

export interface CacheEntry {
  hash: string;
  marker: CacheMarker | null;
  lastUsed: number;
  sizeBytes: number;
  users: number;
}

const exists = (p: string) => stat(p).then(() => true, () => false);


async function folderSize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await folderSize(p);
    else total += (await lstat(p).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Environments built on this node, one folder per content hash, shared by every run.
 * A build happens under a per-hash lock file, so runs needing the same environment build
 * it once (across processes); it is complete only once its marker is renamed into place;
 * runs register while they use an entry, and eviction (by age, then by size, least
 * recently used first) skips entries in use.
 *
 * Entries are built in place rather than renamed from a temporary folder because a venv
 * is not relocatable (its scripts name its absolute path); the marker's atomic rename is
 * what makes an entry visible.
 */
export class EnvironmentCache {
  constructor(readonly config: EnvironmentCacheConfig) {}

  hashOf(spec: EnvironmentSpec): string | null {
    const key = environmentBuildKey(spec);
    return key === null ? null : createHash('sha256').update(key).digest('hex');
  }

  /** The built environment for `spec`, building it if no run on this node has; null if there is nothing to build. */
  async materialize(spec: EnvironmentSpec, o: { runId: string; log: BuildLog; signal?: AbortSignal }): Promise<MaterializedEnvironment | null> {
    const hash = this.hashOf(spec);
    if (hash === null) return null;
    const started = performance.now();
    const short = hash.slice(0, 12);
    const dir = join(this.config.cacheDir, hash);
    const signal = AbortSignal.any([o.signal ?? new AbortController().signal, AbortSignal.timeout(this.config.buildTimeoutMs)]);
    await mkdir(this.config.cacheDir, { recursive: true });

    let waitedFor: string | undefined;
    let tailOffset = 0;
    const lock = await acquireLock(join(this.config.cacheDir, `${hash}.lock`), { pid: process.pid, run: o.runId }, {
      signal,
      onWait: (h) => {
        waitedFor = h.run;
        o.log.note(`environment ${short}: waiting for run ${h.run} (pid ${h.pid}), which is building it`);
      },
      // The builder's log, as it grows, is part of this run's log too.
      onPoll: async () => {
        tailOffset += await copyNew(join(dir, 'build.log'), tailOffset, (text) => o.log.write(text));
      },
    });
    if (waitedFor !== undefined) await copyNew(join(dir, 'build.log'), tailOffset, (text) => o.log.write(text));
    let built = false;
    let marker: CacheMarker | null;
    try {
      marker = await this.readMarker(dir, hash);
      if (marker === null) {
        if (await exists(dir)) {
          o.log.note(`environment ${short}: removing an incomplete build left by an earlier attempt`);
          await this.discard(dir);
        }
        marker = await this.build(spec, hash, dir, o.runId, o.log, signal);
        built = true;
      }
      await this.register(dir, o.runId);
    } finally {
      await lock!.release();
    }
    const readyMs = performance.now() - started;
    if (built) {
      o.log.note(`environment ${short}: built in ${(marker.build_ms / 1000).toFixed(1)} s (${formatMb(marker.size_bytes)})`);
      await this.evict({ keep: hash }).catch((err: unknown) => o.log.note(`environment cache eviction failed: ${(err as Error).message}`));
    } else if (waitedFor !== undefined) {
      o.log.note(`environment ${short}: built by run ${marker.built_by.run}; reusing it (ready in ${readyMs.toFixed(0)} ms)`);
    } else {
      o.log.note(`environment ${short}: cached on this node (built ${new Date(marker.built_at).toISOString()} by run ${marker.built_by.run}); ready in ${readyMs.toFixed(1)} ms`);
      // Off the job's start path: a look at the cache's age limits at most once an hour.
      setTimeout(() => void this.maybeEvict(hash), 2000).unref();
    }
    return { hash, dir, built, marker, readyMs, release: () => this.unregister(dir, o.runId) };
  }

  private async build(spec: EnvironmentSpec, hash: string, dir: string, runId: string, log: BuildLog, signal: AbortSignal): Promise<CacheMarker> {
    const short = hash.slice(0, 12);
    const started = Date.now();
    await mkdir(dir, { recursive: true });
    const file = createWriteStream(join(dir, 'build.log'));
    const tee: BuildLog = {
      write: (text) => {
        log.write(text);
        file.write(text);
      },
      note: (line) => tee.write(`[lathe] ${line}\n`),
    };
    tee.note(`environment ${short}: building into ${dir}`);
    try {
      const ctx = { config: this.config, log: tee, signal };
      let activation = NO_ACTIVATION;
      let interpreter: CacheMarker['interpreter'] = null;
      if (spec.python !== null) {
        const py = await buildPython(spec.python, dir, ctx);
        activation = mergeActivations(activation, py.activation);
        interpreter = { path: py.interpreter, version: py.version };
      }
      if (spec.npm !== null) activation = mergeActivations(activation, await buildNpm(spec.npm, dir, ctx));
      await closeStream(file);
      const marker: CacheMarker = {
        format: ENVIRONMENT_FORMAT,
        hash,
        python: spec.python,
        npm: spec.npm,
        built_at: Date.now(),
        build_ms: Date.now() - started,
        size_bytes: await folderSize(dir),
        built_by: { run: runId, pid: process.pid, host: hostname() },
        interpreter,
        activation,
        required: [
          ...(activation.virtualEnv !== null ? [join(activation.virtualEnv, 'bin', 'python')] : []),
          ...(activation.condaPrefix !== null ? [join(activation.condaPrefix, 'bin', 'python')] : []),
          ...(activation.nodeModules !== null ? [activation.nodeModules] : []),
        ],
      };
      const tmp = join(dir, `${MARKER}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(tmp, JSON.stringify(marker, null, 2));
      await rename(tmp, join(dir, MARKER));
      return marker;
    } catch (err) {
      await closeStream(file);
      await this.discard(dir);
      if (err instanceof EnvironmentBuildError) throw new EnvironmentBuildError(`Environment build failed (sha256 ${short}): ${err.message}`);
      throw err;
    }
  }

  /** The entry's marker, if the entry is complete and still usable (its interpreter was not removed, say). */
  private async readMarker(dir: string, hash: string): Promise<CacheMarker | null> {
    try {
      const marker = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as CacheMarker;
      if (marker.hash !== hash || marker.format !== ENVIRONMENT_FORMAT) return null;
      for (const p of marker.required ?? []) if (!(await exists(join(dir, p)))) return null;
      return marker;
    } catch {
      return null;
    }
  }

  private userFile(dir: string, runId: string): string {
    return join(dir, USERS, `${hostname()}.${process.pid}.${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  }

  private async register(dir: string, runId: string): Promise<void> {
    await mkdir(join(dir, USERS), { recursive: true });
    await writeFile(this.userFile(dir, runId), '');
    const now = new Date();
    await utimes(join(dir, LAST_USED), now, now).catch(() => writeFile(join(dir, LAST_USED), ''));
  }

  private async unregister(dir: string, runId: string): Promise<void> {
    await unlink(this.userFile(dir, runId)).catch(() => undefined);
  }

  /** Rename aside (atomic), then delete: nothing ever sees a folder half deleted. */
  private async discard(dir: string): Promise<void> {
    const trash = join(this.config.cacheDir, `.trash-${randomBytes(6).toString('hex')}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Every entry with its size, last use and live users. */
  async entries(): Promise<CacheEntry[]> {
    const names = await readdir(this.config.cacheDir).catch(() => [] as string[]);
    const out: CacheEntry[] = [];
    for (const hash of names.filter((n) => HASH_DIR.test(n))) {
      const dir = join(this.config.cacheDir, hash);
      const marker = await this.readMarker(dir, hash);
      const lastUsed = (await stat(join(dir, LAST_USED)).catch(() => undefined))?.mtimeMs ?? marker?.built_at ?? (await stat(dir).catch(() => undefined))?.mtimeMs ?? 0;
      out.push({ hash, marker, lastUsed, sizeBytes: marker?.size_bytes ?? 0, users: await this.liveUsers(dir) });
    }
    return out;
  }

  private async liveUsers(dir: string): Promise<number> {
    const files = await readdir(join(dir, USERS)).catch(() => [] as string[]);
    const host = hostname();
    let n = 0;
    for (const f of files) {
      const [h, pid] = f.split('.');
      if (h === host ? alive(Number(pid)) : Date.now() - ((await stat(join(dir, USERS, f)).catch(() => undefined))?.mtimeMs ?? 0) < 86_400_000) n++;
    }
    return n;
  }

  /**
   * Remove entries unused for longer than the maximum age, then the least recently used
   * until the cache fits its size limit. Entries in use or being built are skipped.
   */
  async evict(o: { keep?: string; now?: number } = {}): Promise<{ evicted: string[]; freedBytes: number }> {
    const now = o.now ?? Date.now();
    await writeFile(join(this.config.cacheDir, '.last-eviction'), '').catch(() => undefined);
    await this.removeLeftovers(now);
    const all = await this.entries();
    const entries = all.filter((e) => e.marker !== null && e.hash !== o.keep).sort((a, b) => a.lastUsed - b.lastUsed);
    let total = all.reduce((n, e) => n + e.sizeBytes, 0);
    const evicted: string[] = [];
    let freed = 0;
    for (const e of entries) {
      const old = now - e.lastUsed > this.config.maxAgeMs;
      if (!old && total <= this.config.maxBytes) continue;
      if (e.users > 0) continue;
      if (await this.evictOne(e.hash)) {
        evicted.push(e.hash);
        freed += e.sizeBytes;
        total -= e.sizeBytes;
      }
    }
    return { evicted, freedBytes: freed };
  }

  private async evictOne(hash: string): Promise<boolean> {
    const dir = join(this.config.cacheDir, hash);
    const lock = await acquireLock(join(this.config.cacheDir, `${hash}.lock`), { pid: process.pid, run: 'eviction' }, { timeoutMs: 0 });
    if (lock === null) return false; // being built or taken into use right now
    try {
      if ((await this.liveUsers(dir)) > 0) return false;
      await this.discard(dir);
      return true;
    } finally {
      await lock.release();
    }
  }

  /** Trash from interrupted deletes, and lock files' private copies left by killed processes. */
  private async removeLeftovers(now: number): Promise<void> {
    for (const name of await readdir(this.config.cacheDir).catch(() => [] as string[])) {
      const p = join(this.config.cacheDir, name);
      const trash = name.startsWith('.trash-');
      if (!trash && !/\.lock\.[0-9a-f]+\.tmp$|\.lock\.stale-[0-9a-f]+$/.test(name)) continue;
      const st = await stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs > (trash ? 60_000 : 3_600_000)) await rm(p, { recursive: true, force: true });
    }
  }

  private async maybeEvict(keep: string): Promise<void> {
    const last = (await stat(join(this.config.cacheDir, '.last-eviction')).catch(() => undefined))?.mtimeMs ?? 0;
    if (Date.now() - last < EVICTION_EVERY_MS) return;
    await this.evict({ keep }).catch(() => undefined);
  }
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function closeStream(s: WriteStream): Promise<void> {
  return new Promise((resolve) => (s.closed ? resolve() : s.end(() => resolve())));
}

/** Copy what a growing file has beyond `offset` (for following another run's build log). */
async function copyNew(path: string, offset: number, write: (text: string) => void): Promise<number> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return 0;
  try {
    const { size } = await fh.stat();
    if (size <= offset) return 0;
    const buf = Buffer.alloc(Math.min(size - offset, 1024 * 1024));
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    write(buf.subarray(0, bytesRead).toString('utf8'));
    return bytesRead;
  } finally {
    await fh.close();
  }
}
