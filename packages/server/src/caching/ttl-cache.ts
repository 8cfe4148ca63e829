/**
 * A small map whose entries expire after `ttlMs`. The hot request path uses it to skip
 * re-reading rows that almost never change (a token's principal, a workspace role) on
 * every call; the owning service clears it on its own writes, and the short lifetime
 * bounds how stale a change made elsewhere (another server on the same database) can be.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, expires = Date.now() + this.ttlMs): void {
    // Maps iterate in insertion order, so the first key is the oldest.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: Math.min(expires, Date.now() + this.ttlMs) });
  }

  clear(): void {
    this.entries.clear();
  }
}
