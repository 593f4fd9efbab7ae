/**
 * An error the user can fix: bad input file, invalid spec, unknown name. The CLI prints its message
 * as one line (no stack trace) and exits with `exitCode` (2 by convention: unusable input).
 */
export class InputError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'InputError';
    this.exitCode = exitCode;
  }
}
