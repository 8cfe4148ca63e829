import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Pair, type YAMLMap } from 'yaml';

/** What to point at: the value at a path, the key naming it, or the mapping holding it. */
export type LocateTarget = 'value' | 'key' | 'parent';

/** A line and column in the file, or the `--set` flag a value came from. */
export interface Place {
  line?: number;
  column?: number;
  setOverride?: string;
}

/** A `--set` flag as applied: its text and the key path it wrote. */
export interface OverrideOrigin {
  raw: string;
  path: readonly string[];
}

/** Finds where a key path sits in the parsed YAML, so errors can say `job.yml:12:3`. */
export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly overrides: readonly OverrideOrigin[] = [],
  ) {}

  /** The place of `path`; when the path does not exist, the nearest enclosing node's place. */
  locate(path: readonly PropertyKey[], target: LocateTarget = 'value'): Place {
    if (target === 'parent') return this.locate(path.slice(0, -1), 'value');
    const found = this.walk(path);
    // `limits:` with nothing after it: the empty value sits at the end of the line; the key reads better.
    const empty = isScalar(found.node) && found.node.value === null && found.node.range?.[0] === found.node.range?.[1];
    const node = target === 'key' || empty ? (found.key ?? found.node) : (found.node ?? found.key);
    const range = isNode(node) ? node.range : undefined;
    if (range) {
      const { line, col } = this.lines.linePos(range[0]);
      return { line, column: col };
    }
    // Nodes written by --set have no range: name the flag instead of a place.
    const origin = this.overrideFor(path);
    return origin === undefined ? {} : { setOverride: origin.raw };
  }

  private walk(path: readonly PropertyKey[]): { node: unknown; key: unknown } {
    let node: unknown = this.doc.contents;
    let key: unknown;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      let next: unknown;
      let nextKey: unknown;
      if (isMap(node)) {
        const pair = findPair(node, String(segment));
        if (pair === undefined) break;
        nextKey = pair.key;
        next = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        next = node.items[segment];
      } else {
        break;
      }
      node = next;
      key = nextKey;
    }
    return { node, key };
  }

  private overrideFor(path: readonly PropertyKey[]): OverrideOrigin | undefined {
    const shared = (o: OverrideOrigin) => {
      let n = 0;
      while (n < o.path.length && n < path.length && o.path[n] === String(path[n])) n++;
      return n;
    };
    let best: OverrideOrigin | undefined;
    let bestShared = 0;
    // Later flags win, as they were applied later.
    for (const o of this.overrides) {
      const n = shared(o);
      if (n > 0 && n >= bestShared) [best, bestShared] = [o, n];
    }
    return best;
  }
}

/** The entry of `map` whose key reads as `key` (YAML keys may be numbers or booleans). */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
}
