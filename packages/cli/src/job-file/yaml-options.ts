import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/**
 * How job files and `--set` values are read. YAML 1.2 core schema, plus `<<` merge keys
 * because the Python loaders Azure ML users test against accept them. Errors stay short
 * (no code excerpt) since we print our own `file:line:col` prefix.
 */
export const JOB_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  merge: true,
  prettyErrors: false,
  uniqueKeys: true,
};
