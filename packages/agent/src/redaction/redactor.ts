/** What replaces a secret's value in stored logs. */
export const REDACTED = '***';

/**
 * Removes secret values from a stream of text that arrives in arbitrary chunks. A value
 * may straddle two chunks, so the end of the unfinished last line is held back (at most
 * the longest value's length minus one); a multi-line value is matched line by line, so
 * nothing after a newline is ever held.
 */
export class Redactor {
  private patterns: string[] = [];
  private held = '';
  private maxLen = 0;

  /** Add values to hide. Returns the ones too short to hide safely (under 3 characters). */
  add(values: Iterable<string>): string[] {
    const tooShort: string[] = [];
    const set = new Set(this.patterns);
    for (const v of values) {
      if (v.length > 0 && v.trim().length < 3) tooShort.push(v);
      for (const part of new Set([v, ...v.split(/\r?\n/).map((x) => x.trim())])) if (part.length >= 3) set.add(part);
    }
    // Longest first, so a value containing another is replaced whole.
    this.patterns = [...set].filter((p) => !p.includes('\n')).sort((a, b) => b.length - a.length);
    this.maxLen = this.patterns[0]?.length ?? 0;
    return tooShort;
  }

  get active(): boolean {
    return this.patterns.length > 0;
  }

  private scrub(text: string): string {
    let out = text;
    for (const p of this.patterns) if (out.includes(p)) out = out.split(p).join(REDACTED);
    return out;
  }

  /** Text safe to store now; the rest waits for the next chunk or `end`. */
  push(text: string): string {
    if (!this.active) return text;
    const all = this.held + text;
    const nl = all.lastIndexOf('\n');
    let cut = Math.max(nl + 1, all.length - (this.maxLen - 1));
    // Never cut through a value that may still be completed by the next chunk.
    const scrubbedHead = this.scrub(all.slice(0, cut));
    // If a value starts before `cut` and ends after it, the tail scrub would miss it: re-check across the cut.
    for (const p of this.patterns) {
      const from = Math.max(0, cut - p.length + 1);
      const i = all.indexOf(p, from);
      if (i >= 0 && i < cut && i + p.length > cut) {
        cut = i;
        this.held = all.slice(cut);
        return this.scrub(all.slice(0, cut));
      }
    }
    this.held = all.slice(cut);
    return scrubbedHead;
  }

  /** Whatever is held back, scrubbed. */
  end(): string {
    const rest = this.scrub(this.held);
    this.held = '';
    return rest;
  }
}
