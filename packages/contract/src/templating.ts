/**
 * The command grammar of Azure ML jobs: `${{inputs.x}}`, `${{outputs.y}}`, and optional
 * fragments `$[[ ... ]]` that are dropped when an input they reference is not given.
 */
const REF = /\$\{\{\s*(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const OPTIONAL = /\$\[\[([\s\S]*?)\]\]/g;

export interface CommandRef {
  kind: 'inputs' | 'outputs';
  name: string;
  optional: boolean;
}

/** Every `${{inputs.x}}` / `${{outputs.y}}` in a command, marking those inside `$[[ ]]`. */
export function commandRefs(command: string): CommandRef[] {
  const refs: CommandRef[] = [];
  const optionalText = [...command.matchAll(OPTIONAL)].map((m) => m[1] ?? '');
  for (const text of optionalText) {
    for (const m of text.matchAll(REF)) refs.push({ kind: m[1] as CommandRef['kind'], name: m[2]!, optional: true });
  }
  const required = command.replace(OPTIONAL, '');
  for (const m of required.matchAll(REF)) refs.push({ kind: m[1] as CommandRef['kind'], name: m[2]!, optional: false });
  return refs;
}

/** References to inputs or outputs the job does not declare (optional fragments excepted). */
export function undeclaredRefs(command: string, inputs: Iterable<string>, outputs: Iterable<string>): CommandRef[] {
  const known = { inputs: new Set(inputs), outputs: new Set(outputs) };
  return commandRefs(command).filter((r) => !r.optional && !known[r.kind].has(r.name));
}

/**
 * Substitute values into a command. An optional fragment is kept (templated) only when
 * every reference inside it has a value; otherwise it is removed.
 */
export function renderCommand(command: string, values: { inputs: Record<string, string>; outputs: Record<string, string> }): string {
  const sub = (text: string) =>
    text.replace(REF, (_m, kind: 'inputs' | 'outputs', name: string) => {
      const v = values[kind][name];
      if (v === undefined) throw new Error(`the command references ${kind}.${name}, which has no value`);
      return v;
    });
  const withOptional = command.replace(OPTIONAL, (_m, inner: string) => {
    const refs = [...inner.matchAll(REF)];
    const allPresent = refs.every((r) => values[r[1] as 'inputs' | 'outputs'][r[2]!] !== undefined);
    return allPresent ? sub(inner) : '';
  });
  return sub(withOptional);
}
