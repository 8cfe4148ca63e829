/**
 * Random-access loading of a long run list for a virtualised table: rows are fetched in
 * fixed pages by offset as they scroll into view, each page once (concurrent requests for
 * the same page share one fetch), and visible pages can be fetched again to refresh live
 * statuses. Independent of React, so it is tested with a plain function as the server.
 */
export type FetchWindow<T> = (offset: number, limit: number) => Promise<T[]>;

export class RunWindow<T> {
  private readonly pages = new Map<number, T[]>();
  private readonly inflight = new Map<number, Promise<void>>();
  private disposed = false;
  /** Set when a page came back short: the list has exactly this many rows. */
  knownLength: number | undefined;
  error: unknown = undefined;

  constructor(
    private readonly fetchWindow: FetchWindow<T>,
    /** Called after every load with the rows it brought (empty after an error). */
    private readonly onChange: (rows: readonly T[]) => void,
    readonly pageSize = 100,
    /** Pages kept in memory; the ones farthest from where the user is are dropped first. */
    readonly maxPages = 60,
  ) {}

  row(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Rows loaded so far, in order of their pages. */
  loadedRows(): T[] {
    return [...this.pages.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, rows]) => rows);
  }

  /** How many rows are known to exist from what has loaded (a lower bound until the end is seen). */
  loadedLength(): number {
    if (this.knownLength !== undefined) return this.knownLength;
    let max = 0;
    for (const [p, rows] of this.pages) max = Math.max(max, p * this.pageSize + rows.length);
    return max;
  }

  /** Load every page touching rows start..end (inclusive) that is not loaded or loading. */
  ensure(start: number, end: number): Promise<void> {
    const first = Math.max(0, Math.floor(start / this.pageSize));
    const last = Math.max(first, Math.floor(end / this.pageSize));
    const waits: Array<Promise<void>> = [];
    for (let p = first; p <= last; p++) {
      if (this.knownLength !== undefined && p * this.pageSize >= this.knownLength && p > 0) break;
      if (this.pages.has(p)) continue;
      waits.push(this.load(p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Fetch the loaded pages touching start..end again (live statuses, new metrics). */
  refresh(start: number, end: number): Promise<void> {
    const first = Math.floor(start / this.pageSize);
    const last = Math.floor(end / this.pageSize);
    const waits: Array<Promise<void>> = [];
    for (let p = first; p <= last; p++) if (this.pages.has(p)) waits.push(this.load(p));
    return Promise.all(waits).then(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
  }

  private evictAround(page: number): void {
    if (this.pages.size <= this.maxPages) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
    for (const p of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }

  private load(page: number): Promise<void> {
    const running = this.inflight.get(page);
    if (running) return running;
    const p = this.fetchWindow(page * this.pageSize, this.pageSize).then(
      (rows) => {
        this.inflight.delete(page);
        if (this.disposed) return;
        this.pages.set(page, rows);
        this.evictAround(page);
        if (rows.length < this.pageSize) this.knownLength = page * this.pageSize + rows.length;
        else if (this.knownLength !== undefined && this.knownLength <= page * this.pageSize + rows.length) this.knownLength = undefined;
        this.error = undefined;
        this.onChange(rows);
      },
      (err: unknown) => {
        this.inflight.delete(page);
        if (this.disposed) return;
        this.error = err;
        this.onChange([]);
      },
    );
    this.inflight.set(page, p);
    return p;
  }
}
