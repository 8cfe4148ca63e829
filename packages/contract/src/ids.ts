/**
 * Branded identifiers: each is made and checked by one function, so a plain string
 * cannot be passed where a run id is expected by accident.
 */
import { invalid } from './errors.js';

export type RunId = string & { readonly __brand: 'RunId' };
export type WorkspaceName = string & { readonly __brand: 'WorkspaceName' };
export type ExperimentId = string & { readonly __brand: 'ExperimentId' };
export type Sha256 = string & { readonly __brand: 'Sha256' };

/** Valid as an Azure ML job name and as an MLflow run id. */
export const RUN_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export function runId(value: string): RunId {
  if (!RUN_ID_PATTERN.test(value)) {
    throw invalid(`'${value}' is not a valid job name: use letters, digits, '_' and '-', starting with a letter or digit (at most 255 characters)`);
  }
  return value as RunId;
}

export function workspaceName(value: string): WorkspaceName {
  if (!NAME_PATTERN.test(value)) {
    throw invalid(`'${value}' is not a valid workspace name: use letters, digits, '_', '.' and '-'`);
  }
  return value as WorkspaceName;
}

export function experimentId(value: string): ExperimentId {
  if (!/^[0-9]+$/.test(value)) throw invalid(`'${value}' is not a valid experiment id (digits only)`);
  return value as ExperimentId;
}

export function sha256(value: string): Sha256 {
  if (!SHA256_PATTERN.test(value)) throw invalid(`'${value}' is not a sha256 hex digest`);
  return value as Sha256;
}
