/** Exit codes that mean something to scripts. */
export const EXIT = {
  ok: 0,
  /** Bad input, a server error, or the server could not be reached. */
  error: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** The job ran and Failed. */
  jobFailed: 3,
  /** The job was Canceled (by a user or its timeout). */
  jobCanceled: 4,
} as const;

export function exitCodeForStatus(status: string): number {
  if (status === 'Completed') return EXIT.ok;
  if (status === 'Canceled') return EXIT.jobCanceled;
  return EXIT.jobFailed;
}
