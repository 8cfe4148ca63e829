import { mlflowError } from './mlflow-error.js';

const NAME = /^[/\w.\- ]*$/;
const MAX_KEY = 250;
const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;

/** MLflow's key rule: its characters, and no path that would normalise to another name. */
export function checkEntityKey(kind: 'Metric' | 'Param' | 'Tag', key: string): void {
  const label = kind === 'Param' ? 'parameter' : kind.toLowerCase();
  if (!key) throw mlflowError('INVALID_PARAMETER_VALUE', `${kind} name cannot be empty. A key name must be provided.`);
  if (!NAME.test(key)) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid ${label} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`);
  const parts = key.split('/');
  if (key.startsWith('/') || parts.includes('..') || parts.includes('.') || parts.includes('') ) {
    throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid ${label} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  }
  if (key.length > MAX_KEY) throw mlflowError('INVALID_PARAMETER_VALUE', `${kind} name '${key.slice(0, 250)}' had length ${key.length}, which exceeded length limit of ${MAX_KEY}`);
}

function limit(entity: string, max: number, n: number): void {
  if (n > max) {
    throw mlflowError('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most ${max} ${entity}. Got ${n} ${entity}. Please split up ${entity} across multiple requests and try again.`);
  }
}

/** MLflow's log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 in all; value lengths. */
export function checkBatchLimits(metrics: Array<{ key: string }>, params: Array<{ key: string; value: string }>, tags: Array<{ key: string; value: string }>): void {
  limit('metrics', 1000, metrics.length);
  limit('params', 100, params.length);
  limit('tags', 100, tags.length);
  limit('metrics, params, and tags', 1000, metrics.length + params.length + tags.length);
  const keys = new Set<string>();
  const dupes = new Set<string>();
  for (const p of params) {
    if (keys.has(p.key)) dupes.add(p.key);
    keys.add(p.key);
  }
  if (dupes.size) throw mlflowError('INVALID_PARAMETER_VALUE', `Duplicate parameter keys have been submitted: [${[...dupes].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
  // A batch repeats few keys many times: check each once.
  for (const key of new Set(metrics.map((m) => m.key))) checkEntityKey('Metric', key);
  for (const p of params) {
    checkEntityKey('Param', p.key);
    if (p.value.length > MAX_PARAM_VALUE) throw mlflowError('INVALID_PARAMETER_VALUE', `Param value '${p.value.slice(0, 250)}' had length ${p.value.length}, which exceeded length limit of ${MAX_PARAM_VALUE}`);
  }
  for (const t of tags) {
    checkEntityKey('Tag', t.key);
    if (t.value.length > MAX_TAG_VALUE) throw mlflowError('INVALID_PARAMETER_VALUE', `Tag value '${t.value.slice(0, 250)}' had length ${t.value.length}, which exceeded length limit of ${MAX_TAG_VALUE}`);
  }
}
