/**
 * An error the user can fix: bad input file, invalid spec, unknown name. The CLI prints its message
 * as one line (no stack trace) and exits with `exitCode`: 2, unusable input.
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
