import { parse } from 'yaml';
import type { MlModelInfo } from '@lathe/contract';

const parseJsonField = (v: unknown): unknown => {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** Read an MLflow `MLmodel` file: flavors, signature (its JSON strings decoded), run id. */
export function parseMlModel(text: string): MlModelInfo {
  const raw = (parse(text) ?? {}) as Record<string, unknown>;
  const flavors = raw.flavors && typeof raw.flavors === 'object' ? Object.keys(raw.flavors) : [];
  const sig = raw.signature as Record<string, unknown> | undefined;
  return {
    flavors,
    signature: sig ? { inputs: parseJsonField(sig.inputs), outputs: parseJsonField(sig.outputs), params: parseJsonField(sig.params) } : null,
    run_id: typeof raw.run_id === 'string' ? raw.run_id : null,
    raw,
  };
}
