import { InputError } from '../errors.js';

/** Parse a numeric flag, or fail with one line naming the flag and the accepted range. */
export function numberOption(flag: string, value: string, range: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
  const x = Number(value);
  const kind = range.integer ? 'an integer' : 'a number';
  const bounds = [
    range.min !== undefined ? `${range.exclusiveMin ? '>' : '≥'} ${range.min}` : '',
    range.max !== undefined ? `≤ ${range.max}` : '',
  ].filter(Boolean).join(' and ');
  const ok =
    value.trim() !== '' &&
    Number.isFinite(x) &&
    (!range.integer || Number.isInteger(x)) &&
    (range.min === undefined || (range.exclusiveMin ? x > range.min : x >= range.min)) &&
    (range.max === undefined || x <= range.max);
  if (!ok) throw new InputError(`${flag}: expected ${kind}${bounds ? ' ' + bounds : ''}, got "${value}"`);
  return x;
}

/** Check a flag's value against a fixed list of choices. */
export function choiceOption<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new InputError(`${flag}: expected one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Print a warning line on stderr, so stdout stays clean for --json. */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
