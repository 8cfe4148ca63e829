/** A tiny MLflow REST caller for tests: answers { status, body } without throwing. */
export interface MlflowAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function mlflowApi(url: string, token: string, headers: Record<string, string> = {}) {
  return async (method: string, path: string, payload?: Record<string, unknown>): Promise<MlflowAnswer> => {
    const isQuery = method === 'GET';
    const qs = isQuery && payload
      ? `?${new URLSearchParams(Object.entries(payload).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x): [string, string] => [k, String(x)]) : [[k, String(v)]]))).toString()}`
      : '';
    const res = await fetch(`${url}/api/2.0/mlflow/${path}${qs}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(isQuery ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(isQuery ? {} : { body: JSON.stringify(payload ?? {}) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}
