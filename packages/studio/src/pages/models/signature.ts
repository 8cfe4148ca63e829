/**
 * An MLflow model signature as rows to show: MLmodel files keep `inputs`/`outputs` as JSON
 * strings of column specs (`{"name": "x", "type": "double"}`) or tensor specs
 * (`{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`).
 */
export interface SignatureField {
  name: string;
  type: string;
  shape?: string;
  optional?: boolean;
}

export function signatureFields(value: unknown): SignatureField[] | null {
  let v = value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return [{ name: '', type: v as string }];
    }
  }
  if (!Array.isArray(v)) return null;
  return v.map((f: Record<string, unknown>, i) => {
    const spec = (f['tensor-spec'] ?? null) as { dtype?: string; shape?: unknown[] } | null;
    return {
      name: typeof f.name === 'string' ? f.name : `#${i}`,
      type: spec ? `tensor<${spec.dtype ?? '?'}>` : String(f.type ?? '?'),
      ...(spec?.shape ? { shape: `[${spec.shape.join(', ')}]` } : {}),
      ...(f.required === false || f.optional === true ? { optional: true } : {}),
    };
  });
}
