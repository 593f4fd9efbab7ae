/**
 * An error the user can fix: bad input file, invalid spec, unknown name. The CLI prints its message
 * as one line (no stack trace) and exits with `exitCode`: 2, unusable input.
 */
/** The one-line reason a file could not be read: "no such file", or the system's code. */
export function readFailure(path: string, what: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new InputError(`${path}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
}

export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
