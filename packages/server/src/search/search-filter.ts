import { invalid } from '@lathe/contract';

/**
 * MLflow's search grammar (runs, experiments, registered models, model versions), which
 * Lathe's own run listing speaks too:
 * `metrics.loss < 0.5 and params.lr = '0.1' and tags.`team name` LIKE 'vision%'
 *  and attributes.status = 'FINISHED' and run_name ILIKE '%trial%'`.
 * Conditions are joined by AND (MLflow has no OR).
 */
export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute';
export type FilterOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export interface FilterCondition {
  entity: FilterEntity;
  key: string;
  op: FilterOp;
  value: string | number | string[] | null;
}

const ENTITY_ALIASES: Record<string, FilterEntity> = {
  metric: 'metric', metrics: 'metric',
  param: 'param', params: 'param', parameter: 'param', parameters: 'param',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
};

export type FilterAttributes = Readonly<Record<string, 'string' | 'number'>>;

/** Run attributes a filter may name, with the type of their values. */
export const RUN_FILTER_ATTRIBUTES: FilterAttributes = {
  status: 'string', run_name: 'string', run_id: 'string', user_id: 'string', artifact_uri: 'string',
  start_time: 'number', end_time: 'number', created: 'number', experiment_id: 'string', compute: 'string',
};

type Token = { t: 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'word'; v: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let v = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        v += text[j];
        j++;
      }
      if (j >= text.length) throw invalid(`invalid filter: unterminated quote starting at character ${at + 1}`);
      // Backticks and double quotes quote identifiers (keys with spaces or dots); single quotes quote values.
      tokens.push({ t: c === "'" ? 'string' : 'ident', v, at });
      i = j + 1;
    } else if (c === '(') {
      tokens.push({ t: 'lparen', v: c, at });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'rparen', v: c, at });
      i++;
    } else if (c === ',') {
      tokens.push({ t: 'comma', v: c, at });
      i++;
    } else if (/[=!<>]/.test(c)) {
      const two = text.slice(i, i + 2);
      const op = ['!=', '>=', '<=', '=='].includes(two) ? two : c;
      if (op === '!') throw invalid(`invalid filter: unexpected '!' at character ${at + 1}`);
      tokens.push({ t: 'op', v: op === '==' ? '=' : op, at });
      i += op.length;
    } else if (/[-0-9.]/.test(c) && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.test(text.slice(i))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ t: 'number', v: m[0], at });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][\w.]*/.exec(text.slice(i));
      if (!m) throw invalid(`invalid filter: unexpected '${c}' at character ${at + 1}`);
      tokens.push({ t: 'word', v: m[0], at });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Parse a run filter (attribute `name` is an alias of `run_name`). */
export function parseRunFilter(text: string | undefined): FilterCondition[] {
  return parseFilter(text, RUN_FILTER_ATTRIBUTES, { name: 'run_name' });
}

/** Parse a filter string into conditions; an empty filter is no condition. */
export function parseFilter(text: string | undefined, attributes: FilterAttributes, aliases: Readonly<Record<string, string>> = {}): FilterCondition[] {
  if (!text || !text.trim()) return [];
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const fail = (what: string): never => {
    const tok = tokens[p];
    throw invalid(`invalid filter '${text}': expected ${what}${tok ? ` at character ${tok.at + 1} ('${tok.v}')` : ' at the end'}`);
  };
  const conditions: FilterCondition[] = [];
  for (;;) {
    conditions.push(condition());
    const next = peek();
    if (!next) break;
    if (next.t === 'word' && next.v.toUpperCase() === 'AND') {
      p++;
      continue;
    }
    if (next.t === 'word' && next.v.toUpperCase() === 'OR') throw invalid(`invalid filter '${text}': OR is not supported; join conditions with AND`);
    fail("'AND'");
  }
  return conditions;

  function identifier(): { entity: FilterEntity; key: string } {
    const tok = tokens[p];
    if (!tok || (tok.t !== 'word' && tok.t !== 'ident')) return fail('a key such as metrics.loss, params.lr, tags.team or status');
    p++;
    let entity: FilterEntity = 'attribute';
    let key: string;
    if (tok.t === 'ident') {
      key = tok.v;
    } else {
      const dot = tok.v.indexOf('.');
      const prefix = dot < 0 ? undefined : ENTITY_ALIASES[tok.v.slice(0, dot).toLowerCase()];
      if (prefix) {
        entity = prefix;
        key = tok.v.slice(dot + 1);
        // metrics.`my metric`: the key comes quoted after the dot
        if (key === '' && tokens[p]?.t === 'ident') key = tokens[p++]!.v;
      } else {
        key = tok.v;
      }
    }
    if (!key) return fail('a key after the entity name');
    if (entity === 'attribute') {
      key = aliases[key] ?? key;
      if (!(key in attributes)) throw invalid(`invalid filter: unknown attribute '${key}'; attributes are ${Object.keys(attributes).join(', ')}`);
    }
    return { entity, key };
  }

  function value(): string | number {
    const tok = tokens[p];
    if (!tok) return fail('a value');
    if (tok.t === 'string') {
      p++;
      return tok.v;
    }
    if (tok.t === 'number') {
      p++;
      return Number(tok.v);
    }
    return fail("a value ('text' or a number)");
  }

  function condition(): FilterCondition {
    const { entity, key } = identifier();
    const tok = peek();
    if (!tok) return fail('a comparison');
    let op: FilterOp;
    if (tok.t === 'op') {
      op = tok.v as FilterOp;
      p++;
    } else if (tok.t === 'word') {
      const w = tok.v.toUpperCase();
      p++;
      if (w === 'LIKE' || w === 'ILIKE' || w === 'IN') op = w;
      else if (w === 'NOT' && peek()?.v.toUpperCase() === 'IN') {
        p++;
        op = 'NOT IN';
      } else if (w === 'IS') {
        if (peek()?.v.toUpperCase() === 'NOT') {
          p++;
          op = 'IS NOT NULL';
        } else op = 'IS NULL';
        if (peek()?.v.toUpperCase() !== 'NULL') fail("'NULL'");
        p++;
        return checked({ entity, key, op, value: null });
      } else {
        p--;
        return fail('a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)');
      }
    } else {
      return fail('a comparison');
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (peek()?.t !== 'lparen') fail("'(' after IN");
      p++;
      const list: string[] = [];
      for (;;) {
        list.push(String(value()));
        const t = peek();
        if (t?.t === 'comma') {
          p++;
          continue;
        }
        if (t?.t === 'rparen') {
          p++;
          break;
        }
        fail("',' or ')'");
      }
      return checked({ entity, key, op, value: list });
    }
    return checked({ entity, key, op, value: value() });
  }

  function checked(c: FilterCondition): FilterCondition {
    const numeric = c.entity === 'metric' || (c.entity === 'attribute' && attributes[c.key] === 'number');
    const where = `${c.entity === 'attribute' ? '' : `${c.entity}s.`}${c.key}`;
    if (numeric) {
      if (['LIKE', 'ILIKE', 'IN', 'NOT IN'].includes(c.op)) throw invalid(`invalid filter: ${where} is numeric and cannot use ${c.op}`);
      if (c.value !== null && typeof c.value !== 'number') throw invalid(`invalid filter: ${where} compares to a number, got '${c.value}'`);
    } else {
      if (['>', '>=', '<', '<='].includes(c.op) && c.entity !== 'attribute') throw invalid(`invalid filter: ${where} is a string and supports =, !=, LIKE, ILIKE, IN, NOT IN`);
      if (typeof c.value === 'number') throw invalid(`invalid filter: ${where} compares to a quoted string, e.g. ${where} = '${c.value}'`);
    }
    return c;
  }
}
