import type { CommandJobYaml } from '@lathe/contract';
import { allowedKeysAt } from './allowed-keys.js';
import { describeExpected, describeValue } from './describe-value.js';
import { suggestKey } from './suggest-key.js';
import type { LocateTarget } from './yaml-locator.js';

/** A zod issue, typed through the contract so the CLI needs no zod import of its own. */
export type SchemaIssue = NonNullable<ReturnType<(typeof CommandJobYaml)['safeParse']>['error']>['issues'][number];

/** One problem in plain words, with the key path it concerns and what to point at. */
export interface IssueReport {
  path: PropertyKey[];
  target: LocateTarget;
  reason: string;
}

/**
 * Turn zod issues into plain-words reports: `expected a number, got "ten"`,
 * `missing required key 'command'`, `unknown key 'tiemout' (did you mean 'timeout'?) ...`.
 * Unions are unpicked: when the data clearly aims at one branch (a mapping whose `type`
 * matches), that branch's own issues are reported instead of "invalid input".
 * @param data the validated value, to show what was given
 * @param schema the schema validated against, to list allowed keys
 */
export function describeIssues(issues: readonly SchemaIssue[], data: unknown, schema: unknown, base: readonly PropertyKey[] = []): IssueReport[] {
  return issues.flatMap((issue) => describeIssue(issue, data, schema, [...base, ...issue.path]));
}

function describeIssue(issue: SchemaIssue, data: unknown, schema: unknown, path: PropertyKey[]): IssueReport[] {
  const value = valueAt(data, path);
  // YAML has no undefined: a value zod found undefined is a key the file does not have.
  const missing: IssueReport = { path, target: 'parent', reason: `missing required key '${String(path.at(-1))}'` };
  const got = `got ${describeValue(value)}`;
  switch (issue.code) {
    case 'invalid_type':
      return [value === undefined ? missing : { path, target: 'value', reason: `expected ${describeExpected(issue.expected)}, ${got}` }];
    case 'invalid_value':
      return [describeChoice(path, issue.values, value)];
    case 'too_small':
    case 'too_big':
      return [{ path, target: 'value', reason: describeBound(issue, value) }];
    case 'invalid_format':
      return [{ path, target: 'value', reason: `expected ${issue.format} format, ${got}` }];
    case 'not_multiple_of':
      return [{ path, target: 'value', reason: `must be a multiple of ${String(issue.divisor)}, ${got}` }];
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, path, data) ?? [];
      return issue.keys.map((key) => ({ path: [...path, key], target: 'key' as const, reason: describeUnknownKey(key, allowed) }));
    }
    case 'invalid_union':
      return describeUnion(issue.errors, data, schema, path, value);
    default:
      return [{ path, target: 'value', reason: issue.message }];
  }
}

function describeUnknownKey(key: string, allowed: readonly string[]): string {
  const suggestion = suggestKey(key, allowed);
  const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
  const list = allowed.length === 0 ? '' : `; allowed keys here: ${allowed.join(', ')}`;
  return `unknown key '${key}'${hint}${list}`;
}

function describeChoice(path: PropertyKey[], values: readonly unknown[], value: unknown): IssueReport {
  const shown = values.map((v) => (typeof v === 'string' ? v : String(v)));
  if (value === undefined) {
    return { path, target: 'parent', reason: `missing required key '${String(path.at(-1))}' (one of ${shown.join(', ')})` };
  }
  const expected = shown.length === 1 ? `expected ${shown[0]}` : `expected one of ${shown.join(', ')}`;
  return { path, target: 'value', reason: `${expected}, got ${describeValue(value)}` };
}

type BoundIssue = Extract<SchemaIssue, { code: 'too_small' | 'too_big' }>;

function describeBound(issue: BoundIssue, value: unknown): string {
  const small = issue.code === 'too_small';
  const limit = String(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string') {
    if (small && limit === '1') return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${limit} characters long, got ${describeValue(value)}`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') return `must have ${small ? 'at least' : 'at most'} ${limit} items`;
  const relation = issue.inclusive ? (small ? 'at least' : 'at most') : small ? 'greater than' : 'less than';
  return `must be ${relation} ${limit}, got ${describeValue(value)}`;
}

/**
 * A union failed. Branches whose root type did not fit (a string where a mapping was
 * wanted) say nothing useful; of the rest, a branch whose `type` matched the data is the
 * one the user meant, so its issues are the real ones.
 */
function describeUnion(branches: readonly (readonly SchemaIssue[])[], data: unknown, schema: unknown, path: PropertyKey[], value: unknown): IssueReport[] {
  const wrongShape = (b: readonly SchemaIssue[]) => b.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_union'));
  const isTypeMismatch = (i: SchemaIssue) => i.code === 'invalid_value' && i.path.length === 1 && i.path[0] === 'type';
  const shaped = branches.filter((b) => !wrongShape(b));
  const matched = shaped.filter((b) => !b.some(isTypeMismatch));

  const best = [...matched].sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) return describeIssues(best, data, schema, path);

  if (shaped.length > 0) {
    // A mapping whose `type` fits no branch: one error listing every type there is.
    const types = new Set(shaped.flatMap((b) => b.filter(isTypeMismatch).flatMap((i) => (i.code === 'invalid_value' ? i.values : []))));
    return [describeChoice([...path, 'type'], [...types], valueAt(value, ['type']))];
  }

  if (value === undefined) return [{ path, target: 'parent', reason: `missing required key '${String(path.at(-1))}'` }];
  const expected = [...new Set(rootTypes(branches).map(describeExpected))];
  return [{ path, target: 'value', reason: `expected ${joinOr(expected)}, got ${describeValue(value)}` }];
}

/** The types a union would have taken at its root, nested unions flattened. */
function rootTypes(branches: readonly (readonly SchemaIssue[])[]): string[] {
  return branches.flatMap((b) =>
    b.flatMap((i) => {
      if (i.path.length !== 0) return [];
      if (i.code === 'invalid_type') return [i.expected];
      if (i.code === 'invalid_union') return rootTypes(i.errors);
      return [];
    }),
  );
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')}${items.length > 2 ? ',' : ''} or ${items.at(-1)!}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
