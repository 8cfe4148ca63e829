import { isMap, isScalar, isSeq, Pair, parseDocument, type Document, type YAMLMap } from 'yaml';
import { describeValue } from './describe-value.js';
import { JobFileError, type JobFileProblem } from './job-file-error.js';
import { findPair, type OverrideOrigin } from './yaml-locator.js';
import { JOB_YAML_OPTIONS } from './yaml-options.js';

/**
 * Apply `--set path.to.key=value` flags to a parsed job file, in order, as `az ml` does:
 * the path is dotted keys into the document (missing mappings are created), the value is
 * read as a YAML scalar (`30` is a number, `hi` a string, `'30'` the string "30"), and a
 * flow collection (`[a, b]`, `{k: v}`) is read as one.
 *
 * The document's top level must already be a mapping. Replaced values become new nodes
 * without a source range, which is how later errors know to blame the flag, not the file.
 * @throws JobFileError listing every flag that could not be applied.
 */
export function applySetOverrides(doc: Document, flags: readonly string[], file: string): OverrideOrigin[] {
  const problems: JobFileProblem[] = [];
  const applied: OverrideOrigin[] = [];
  for (const raw of flags) {
    const parsed = parseFlag(raw);
    if (typeof parsed === 'string') {
      problems.push({ file, key: '', reason: `--set ${raw}: ${parsed}` });
      continue;
    }
    const failure = setPath(doc, parsed.path, parsed.value);
    if (failure === undefined) applied.push({ raw, path: parsed.path });
    else problems.push({ file, key: parsed.path.join('.'), reason: failure, setOverride: raw });
  }
  if (problems.length > 0) throw new JobFileError(problems);
  return applied;
}

function parseFlag(raw: string): { path: string[]; value: unknown } | string {
  const eq = raw.indexOf('=');
  if (eq <= 0) return 'expected path.to.key=value, e.g. --set limits.timeout=3600';
  const pathText = raw.slice(0, eq).trim();
  const path = pathText.split('.');
  if (path.some((s) => s === '')) return `'${pathText}' is not a dotted key path`;
  return { path, value: parseSetValue(raw.slice(eq + 1)) };
}

/** A flag's value as YAML would read it; anything YAML would not read as one value stays text. */
function parseSetValue(text: string): unknown {
  // `--set description=` means "empty", which users expect to be "", not null.
  if (text.trim() === '') return '';
  const doc = parseDocument(text, JOB_YAML_OPTIONS);
  const node = doc.contents;
  if (doc.errors.length > 0 || node === null) return text;
  // `a # b` would lose `# b` as a comment, and `a: b` would become a mapping; keep the text.
  if (doc.comment || node.comment || node.commentBefore) return text;
  if (isScalar(node)) return node.toJSON();
  if ((isMap(node) || isSeq(node)) && node.flow === true) return doc.toJS();
  return text;
}

/** Write `value` at `path`; returns why it could not, or undefined on success. */
function setPath(doc: Document, path: readonly string[], value: unknown): string | undefined {
  let map = doc.contents as YAMLMap;
  for (const [i, segment] of path.entries()) {
    const pair = findPair(map, segment);
    if (i === path.length - 1) {
      const node = doc.createNode(value);
      if (pair === undefined) map.items.push(new Pair(doc.createNode(segment), node));
      else pair.value = node;
      return undefined;
    }
    const existing = pair?.value;
    if (isMap(existing)) {
      map = existing;
      continue;
    }
    if (pair !== undefined && existing !== null && !(isScalar(existing) && existing.value === null)) {
      const what = isSeq(existing) ? 'a list' : isScalar(existing) ? describeValue(existing.value) : 'an alias';
      return `cannot set ${path.join('.')}: ${path.slice(0, i + 1).join('.')} is ${what}, not a mapping`;
    }
    const child = doc.createNode({}) as YAMLMap;
    if (pair === undefined) map.items.push(new Pair(doc.createNode(segment), child));
    else pair.value = child;
    map = child;
  }
  return undefined;
}
