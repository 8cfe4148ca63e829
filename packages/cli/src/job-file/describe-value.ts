const MAX_SHOWN = 40;

/** A YAML value as a person would name it in an error: `"ten"`, `3`, `a list`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // `key:` with nothing after it is null in YAML; users think of it as "empty", not "null".
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean (true/false)',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  null: 'an empty value',
};

/** Zod's name for an expected type (`int`, `record`, ...) in plain words. */
export function describeExpected(type: string): string {
  return EXPECTED[type] ?? `a ${type}`;
}
