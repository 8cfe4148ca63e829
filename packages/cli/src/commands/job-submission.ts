import { basename, dirname, resolve } from 'node:path';
import { IGNORED_JOB_KEYS, parseAssetRef, normalizeEnvironment, type CommandJobYaml, type JobSubmission, type ResolvedInput } from '@lathe/contract';
import type { LoadedJobFile } from '../job-file/load-job-file.js';
import { inlineEnvironmentFiles } from '../environments/environment-files.js';

const CLOUD_URI = /^(azureml:|https?:\/\/|wasbs?:\/\/|abfss?:\/\/|s3:\/\/|adl:\/\/)/;

export interface Uploader {
  /** Upload a local file or folder; returns its snapshot id (and the file name for uri_file). */
  data(path: string, type: 'uri_file' | 'uri_folder', describe: string): Promise<{ snapshotId: string; fileName?: string | undefined }>;
  /** Upload the code folder; returns the snapshot id and git tags for it. */
  code(path: string): Promise<{ snapshotId: string; gitTags: Record<string, string> }>;
  /** A registered model version's files (azureml:name:version / @latest). */
  model(name: string, version: string): Promise<{ snapshotId: string; label: string }>;
}

export interface Notes {
  warn(message: string): void;
}

const str = (v: string | number | boolean) => String(v);
const strings = (rec: Record<string, string | number | boolean> | undefined) =>
  Object.fromEntries(Object.entries(rec ?? {}).map(([k, v]) => [k, str(v)]));

/** `azureml:cpu-cluster` → `cpu-cluster`; `local` stays `local`. */
export function computeName(compute: string | undefined): string {
  if (!compute) return 'local';
  return compute.startsWith('azureml:') ? compute.slice('azureml:'.length) : compute;
}

/**
 * References (`azureml:name@latest`, Azure ML curated names) go to the server, which
 * resolves them at submit. An inline environment has its files (conda_file,
 * pip_requirements) inlined here, relative to the job file.
 */
async function inlineEnvironment(env: CommandJobYaml['environment'], file: LoadedJobFile, yamlPath: string, notes: Notes): Promise<JobSubmission['environment']> {
  if (env === undefined || typeof env === 'string') return env;
  if (env.build !== undefined) {
    throw new Error("environment.build (a Docker build context) needs a container runtime, and the 'local' compute has none; use a conda_file or image instead");
  }
  const def = await inlineEnvironmentFiles(env, file.baseDir, yamlPath);
  for (const note of normalizeEnvironment(def).notes) notes.warn(note);
  return def;
}

/** Turn a loaded job file into what the server stores: code and local data uploaded, names resolved. */
export async function buildSubmission(file: LoadedJobFile, yamlPath: string, upload: Uploader, notes: Notes, nameOverride?: string): Promise<JobSubmission> {
  const spec = file.spec;
  const environment = await inlineEnvironment(spec.environment, file, yamlPath, notes);
  const inputs: Record<string, ResolvedInput> = {};
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (typeof input !== 'object') {
      inputs[name] = { kind: 'literal', value: input };
    } else if (input.type === 'custom_model' || input.type === 'mlflow_model') {
      const { path, mode } = input as { path: string; mode: 'download' | 'ro_mount' };
      const ref = parseAssetRef(path);
      const model = ref
        ? await upload.model(ref.name, ref.version)
        : { snapshotId: (await upload.data(resolve(file.baseDir, path), 'uri_folder', `inputs.${name}`)).snapshotId, label: path };
      inputs[name] = { kind: 'data', type: input.type, mode, snapshot_id: model.snapshotId, source: model.label };
    } else if (input.type === 'uri_file' || input.type === 'uri_folder' || input.type === 'mltable') {
      const { path, mode } = input as { path: string; mode: 'download' | 'ro_mount' };
      // Data assets, datastore URIs and http(s) files are resolved by the server at submit (lineage, change detection).
      if (path.startsWith('azureml:') || /^(wasbs?|s3|https?):\/\//.test(path)) {
        inputs[name] = { kind: 'datastore', type: input.type, mode, uri: path, source: path };
        continue;
      }
      if (CLOUD_URI.test(path)) {
        throw new Error(`inputs.${name}: '${path}' is a cloud URI Lathe cannot read directly; create a datastore for it (lathe datastore create -f) and use azureml://datastores/<datastore>/paths/<path>`);
      }
      const abs = resolve(file.baseDir, path);
      const up = await upload.data(abs, input.type === 'uri_file' ? 'uri_file' : 'uri_folder', `inputs.${name}`);
      inputs[name] = { kind: 'data', type: input.type, mode, snapshot_id: up.snapshotId, source: path, ...(up.fileName ? { file_name: up.fileName } : {}) };
    } else {
      const value = (input as { value?: string | number | boolean; default?: string | number | boolean }).value ?? (input as { default?: string | number | boolean }).default;
      if (value !== undefined) inputs[name] = { kind: 'literal', value };
    }
  }
  const outputs: JobSubmission['outputs'] = {};
  for (const [name, output] of Object.entries(spec.outputs ?? {})) {
    if (output?.path) notes.warn(`outputs.${name}.path (${output.path}) is not honoured here: outputs go to azureml://datastores/workspaceblobstore/paths/azureml/<job>/${name}/`);
    outputs[name] = {
      type: output?.type ?? 'uri_folder',
      mode: output?.mode ?? 'rw_mount',
      // An output that declares a name becomes a data asset version when the job completes.
      ...(output?.name ? { name: output.name } : {}),
      ...(output?.version !== undefined ? { version: Number(output.version) } : {}),
      ...(output?.description ? { description: output.description } : {}),
    };
  }
  let codeSnapshotId: string | null = null;
  let gitTags: Record<string, string> = {};
  if (spec.code !== undefined) {
    const up = await upload.code(resolve(file.baseDir, spec.code));
    codeSnapshotId = up.snapshotId;
    gitTags = up.gitTags;
  }
  const ignored: Record<string, unknown> = {};
  for (const key of IGNORED_JOB_KEYS) if (spec[key] !== undefined) ignored[key] = spec[key];
  return {
    ...(nameOverride ?? spec.name ? { name: nameOverride ?? spec.name } : {}),
    ...(spec.display_name ? { display_name: spec.display_name } : {}),
    // As Azure ML: the experiment defaults to the name of the folder the job was created from.
    experiment_name: spec.experiment_name ?? basename(dirname(resolve(yamlPath))),
    ...(spec.description ? { description: spec.description } : {}),
    tags: { ...gitTags, ...strings(spec.tags), 'lathe.source.file': basename(yamlPath) },
    properties: strings(spec.properties),
    command: spec.command,
    code_snapshot_id: codeSnapshotId,
    ...(environment !== undefined ? { environment } : {}),
    environment_variables: strings(spec.environment_variables),
    compute: computeName(spec.compute),
    timeout_seconds: spec.limits?.timeout ?? null,
    inputs,
    outputs,
    ignored,
  };
}
