/** An environment could not be built; the message is the run's failure reason, with the tool's own error lines. */
export class EnvironmentBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentBuildError';
  }
}
