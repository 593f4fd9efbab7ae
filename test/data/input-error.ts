import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** The one-line message of the InputError `promise` rejects with (fails the test otherwise). */
export async function inputErrorMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}
