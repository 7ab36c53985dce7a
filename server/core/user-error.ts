// The base of every error whose message is written for the people who run Parley: the CLI prints such an error
// as one line and exits non-zero; anything else is a bug and is reported as one.
export class UserFacingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
