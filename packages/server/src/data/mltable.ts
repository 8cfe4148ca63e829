import { parse as parseYaml } from 'yaml';
import { invalid, notFound, type TableProfile } from '@lathe/contract';

/** The files of a table and how to read them. */
export interface TableSource {
  format: TableProfile['format'];
  /** Paths relative to the MLTable's folder, in order. */
  files: string[];
  /** For CSV: the field delimiter (one character). */
  delimiter: string;
}

interface MLTableSpec {
  paths?: Array<{ file?: string; folder?: string; pattern?: string }>;
  transformations?: Array<Record<string, { delimiter?: string } | null | undefined> | string>;
}

const EXT: Record<TableSource['format'], RegExp> = { csv: /\.csv$/i, parquet: /\.parquet$/i };

/** The format a file name says, if any. */
export function tableFormatOf(path: string): TableSource['format'] | null {
  return EXT.parquet.test(path) ? 'parquet' : EXT.csv.test(path) ? 'csv' : null;
}

/**
 * The table an `MLTable` file describes over the folder's `files`: its `paths` (`file`,
 * `folder`, `pattern`) and format, from a `read_parquet` or `read_delimited`
 * transformation, else from the named files' extensions. Null when it names no CSV or
 * Parquet file (nothing to profile). A `file` that is not in the folder is an error.
 */
export function mltableSource(text: string, files: readonly string[], where: string): TableSource | null {
  let spec: MLTableSpec;
  try {
    spec = (parseYaml(text) ?? {}) as MLTableSpec;
  } catch (err) {
    throw invalid(`MLTable: ${(err as Error).message}`);
  }
  const named: string[] = [];
  const rel = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  for (const p of spec.paths ?? []) {
    if (p.file) {
      const f = rel(p.file);
      if (!files.includes(f)) throw notFound(`MLTable names ${f}, which is not in ${where}`);
      named.push(f);
    } else if (p.folder !== undefined) {
      const dir = rel(p.folder);
      named.push(...files.filter((f) => dir === '.' || dir === '' || f.startsWith(`${dir}/`)));
    } else if (p.pattern) {
      const re = new RegExp(`^${rel(p.pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').split('**').map((part) => part.replace(/\*/g, '[^/]*')).join('.*')}$`);
      named.push(...files.filter((f) => re.test(f)));
    }
  }
  const steps = (spec.transformations ?? []).map((t) => (typeof t === 'string' ? { [t]: undefined } : t));
  const readParquet = steps.some((t) => 'read_parquet' in t);
  const delimited = steps.find((t) => 'read_delimited' in t)?.read_delimited;
  // Without a read transformation, the first file with a known extension decides.
  const format = readParquet ? 'parquet' : delimited !== undefined ? 'csv' : named.map(tableFormatOf).find((f) => f !== null);
  if (!format) return null;
  const delimiter = delimited?.delimiter ?? ',';
  if (format === 'csv' && delimiter.length !== 1) throw invalid(`MLTable: read_delimited.delimiter must be one character, got '${delimiter}'`);
  // Folders also hold other files: with the format stated, skip Spark's markers (_SUCCESS,
  // .crc); with it inferred, keep the files with its extension.
  const stated = readParquet || delimited !== undefined;
  const table = named.filter((f) => (stated ? !/(^|\/)[_.][^/]*$/.test(f) : EXT[format].test(f)));
  return table.length > 0 ? { format, files: table, delimiter } : null;
}
