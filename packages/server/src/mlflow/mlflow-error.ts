import { LatheError, MLFLOW_ERROR_STATUS, type ErrorCode, type MlflowErrorCode } from '@lathe/contract';

const MLFLOW_CODE: Record<ErrorCode, MlflowErrorCode> = {
  INVALID_ARGUMENT: 'INVALID_PARAMETER_VALUE',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  FAILED_PRECONDITION: 'INVALID_STATE',
  ABORTED: 'INVALID_STATE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  DEADLINE_EXCEEDED: 'TEMPORARILY_UNAVAILABLE',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
};

/** MLflow's error body (`{error_code, message}`) and status for any error a handler threw. */
export function toMlflowError(err: unknown, log: (m: string) => void): { status: number; body: { error_code: MlflowErrorCode; message: string } } {
  if (err instanceof LatheError) {
    const code = (err.details as { mlflow_code?: MlflowErrorCode } | undefined)?.mlflow_code ?? MLFLOW_CODE[err.code];
    return { status: MLFLOW_ERROR_STATUS[code], body: { error_code: code, message: err.message } };
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status: 400, body: { error_code: 'BAD_REQUEST', message: (err as Error).message } };
  }
  log(`internal error in the MLflow API: ${(err as Error)?.stack ?? String(err)}`);
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'internal server error; the server log has the details' } };
}

/** An MLflow-specific error code that has no Lathe equivalent (e.g. BAD_REQUEST). */
export function mlflowError(code: MlflowErrorCode, message: string): LatheError {
  const lathe: ErrorCode = code === 'RESOURCE_DOES_NOT_EXIST' ? 'NOT_FOUND' : code === 'RESOURCE_ALREADY_EXISTS' ? 'ALREADY_EXISTS' : 'INVALID_ARGUMENT';
  return new LatheError(lathe, message, { mlflow_code: code });
}
