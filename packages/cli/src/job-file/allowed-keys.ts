/**
 * The slice of a zod 4 schema's definition needed to list the keys a mapping may hold.
 * Zod documents `_zod.def` for tools that walk schemas; depending on this narrow shape
 * keeps the CLI from importing zod itself (it reaches us through @lathe/contract).
 */
interface SchemaNode {
  _zod: { def: SchemaDef };
  safeParse(value: unknown): { success: boolean };
}

interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaNode>;
  innerType?: SchemaNode;
  in?: SchemaNode;
  options?: readonly SchemaNode[];
  valueType?: SchemaNode;
  element?: SchemaNode;
  getter?: () => SchemaNode;
}

/**
 * The keys the schema allows in the mapping at `path` of `data`, or undefined when the
 * schema has no fixed key set there (a record such as `tags`) or the path leads nowhere.
 * Where the schema is a union of mappings, the branch the data is aiming at is chosen:
 * the one whose `type` accepts the data's `type`, else the one sharing most keys.
 */
export function allowedKeysAt(schema: unknown, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  let node = resolve(schema as SchemaNode, data);
  let value = data;
  for (const segment of path) {
    const def = node?._zod.def;
    if (def === undefined) return undefined;
    value = isRecord(value) ? value[String(segment)] : undefined;
    let next: SchemaNode | undefined;
    if (def.type === 'object') next = def.shape?.[String(segment)];
    else if (def.type === 'record') next = def.valueType;
    else if (def.type === 'array') next = def.element;
    node = next === undefined ? undefined : resolve(next, value);
  }
  const def = node?._zod.def;
  return def?.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : undefined;
}

/** Strip wrappers (optional, default, nullable, pipes, lazies) and pick a union branch. */
function resolve(node: SchemaNode, value: unknown): SchemaNode | undefined {
  let current: SchemaNode | undefined = node;
  for (let guard = 0; current !== undefined && guard < 32; guard++) {
    const def: SchemaDef = current._zod.def;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else if (def.type === 'lazy' && def.getter !== undefined) current = def.getter();
    else if (def.type === 'union' && def.options !== undefined) current = pickBranch(def.options, value);
    else return current;
  }
  return current;
}

function pickBranch(options: readonly SchemaNode[], value: unknown): SchemaNode | undefined {
  const mappings = options.map((o) => resolve(o, value)).filter((o) => o?._zod.def.type === 'object') as SchemaNode[];
  if (!isRecord(value)) return mappings[0];
  const byType = 'type' in value ? mappings.find((o) => o._zod.def.shape?.type?.safeParse(value.type).success === true) : undefined;
  if (byType !== undefined) return byType;
  const overlap = (o: SchemaNode) => Object.keys(value).filter((k) => k in (o._zod.def.shape ?? {})).length;
  return [...mappings].sort((a, b) => overlap(b) - overlap(a))[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
