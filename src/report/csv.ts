import { readFileSync } from 'node:fs';
import type * as CsvParse from 'csv-parse/sync';
import type * as CsvStringify from 'csv-stringify/sync';
import { requireModule } from '../require.js';

const { parse } = requireModule('csv-parse/sync') as typeof CsvParse;
const { stringify } = requireModule('csv-stringify/sync') as typeof CsvStringify;
import { InputError, readFailure } from '../errors.js';

/*
 * CSV cells for results files. Numbers are written in JavaScript's shortest round-trip form
 * (`String(x)`), so reading a file back gives the identical double and the same records always
 * give byte-identical files. An empty cell is null.
 */

export type Cell = string | number | boolean | null;

export function formatNumber(x: number): string {
  // String(-0) is "0"; keep the sign so that every double survives the trip.
  return Object.is(x, -0) ? '-0' : String(x);
}

export function formatCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

/** CSV text with a header row; every cell is formatted here, not by csv-stringify's defaults. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return stringify(
    rows.map((r) => r.map(formatCell)),
    { header: true, columns: [...columns], record_delimiter: '\n' },
  );
}

/** One data row of a results CSV, with the line it came from for error messages. */
export class CsvRow {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly cells: ReadonlyMap<string, string>,
  ) {}

  private fail(column: string, expected: string, raw: string): never {
    throw new InputError(`${this.file}:${this.line}: column "${column}": expected ${expected}, got ${raw === '' ? 'an empty cell' : JSON.stringify(raw)}`);
  }

  raw(column: string): string {
    return this.cells.get(column) ?? '';
  }

  string(column: string): string {
    const raw = this.raw(column);
    if (raw === '') this.fail(column, 'a value', raw);
    return raw;
  }

  optionalString(column: string): string | null {
    const raw = this.raw(column);
    return raw === '' ? null : raw;
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const raw = this.raw(column);
    if (!(allowed as readonly string[]).includes(raw)) this.fail(column, `one of ${allowed.join(', ')}`, raw);
    return raw as T;
  }

  /** A finite number; `nonFinite` also admits NaN and ±Infinity (a diverged loss is a fact worth keeping). */
  number(column: string, nonFinite = false): number {
    const raw = this.raw(column);
    const x = parseNumber(raw, nonFinite);
    if (x === undefined) this.fail(column, nonFinite ? 'a number' : 'a finite number', raw);
    return x;
  }

  optionalNumber(column: string, nonFinite = false): number | null {
    return this.raw(column) === '' ? null : this.number(column, nonFinite);
  }

  integer(column: string): number {
    const x = this.number(column);
    if (!Number.isInteger(x) || x < 0) this.fail(column, 'a non-negative integer', this.raw(column));
    return x;
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict: `Number()` would take "", " 1" and "0x10"; a results cell is a decimal or nothing. */
export function parseNumber(raw: string, nonFinite = false): number | undefined {
  if (NUMBER.test(raw)) return Number(raw);
  if (nonFinite && (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity')) return Number(raw);
  return undefined;
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw readFailure(path, what, err);
  }
}

/**
 * Parse a results CSV whose header must contain `required` (other columns are allowed, so files
 * written by a later version with extra columns still read). Every problem names file and line.
 */
export function parseCsv(text: string, file: string, required: readonly string[]): CsvRow[] {
  return parseCsvTable(text, file, required).rows;
}

export function parseCsvTable(text: string, file: string, required: readonly string[]): { header: string[]; rows: CsvRow[] } {
  if (text.trim().length === 0) throw new InputError(`${file}: empty file; expected a header row with ${required.join(', ')}`);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { info: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      throw new InputError(`${file}:${e.lines}: wrong number of columns (${e.message.replace(/^.*?: /, '').replace(/ on line \d+$/, '')})`);
    }
    throw new InputError(`${file}:${e.lines ?? '?'}: not valid CSV: ${e.message}`);
  }
  const header = records[0].record;
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError(`${file}:1: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}; expected the columns ${required.join(', ')}`);
  }
  const duplicate = header.find((c, i) => header.indexOf(c) !== i);
  if (duplicate !== undefined) throw new InputError(`${file}:1: column "${duplicate}" appears twice in the header`);
  return { header, rows: records.slice(1).map(({ record, info }) => new CsvRow(file, info.lines, new Map(header.map((c, i) => [c, record[i]])))) };
}
