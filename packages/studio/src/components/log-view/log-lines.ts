/** A log as lines for display: ANSI colour codes removed, carriage-return progress bars reduced to their last state. */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function logLines(text: string): string[] {
  const lines = text.replace(ANSI, '').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => {
    const cr = l.lastIndexOf('\r', l.length - 2);
    return (cr >= 0 ? l.slice(cr + 1) : l).replace(/\r$/, '');
  });
}

/** Indexes of lines that contain `needle` (case-insensitive). */
export function findLines(lines: readonly string[], needle: string): number[] {
  const n = needle.toLowerCase();
  if (!n) return [];
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (l.toLowerCase().includes(n)) out.push(i);
  });
  return out;
}

/** Split a line around matches, for highlighting. */
export function splitMatches(line: string, needle: string): Array<{ text: string; match: boolean }> {
  if (!needle) return [{ text: line, match: false }];
  const out: Array<{ text: string; match: boolean }> = [];
  const lower = line.toLowerCase();
  const n = needle.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(n, i);
    if (j < 0) break;
    if (j > i) out.push({ text: line.slice(i, j), match: false });
    out.push({ text: line.slice(j, j + n.length), match: true });
    i = j + n.length;
  }
  if (i < line.length) out.push({ text: line.slice(i), match: false });
  return out;
}
