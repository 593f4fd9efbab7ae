import { readFileSync } from 'node:fs';
import type * as CsvParse from 'csv-parse/sync';
import { requireModule } from '../require.js';

const { parse } = requireModule('csv-parse/sync') as typeof CsvParse;
import { InputError } from '../errors.js';
import { LabelMatrix } from '../labels/matrix.js';
import { SPLITS, type SplitName } from './types.js';

export interface LabelsCsvOptions {
  /** Separator between label names in a `labels` / `tags` column (default `|`). */
  sep?: string;
  /** Checks each image id; a returned problem is an InputError on that id's line. */
  checkId?: (id: string) => string | undefined;
}

/** A labels file read whole: the label matrix and, when the file has a `split` column, each row's split. */
export interface LabelsTable {
  labels: LabelMatrix;
  /** Each row's split, from a column named `split` (any case; values train, val or test, any case). */
  splits?: SplitName[];
}

/**
 * Read image labels from a CSV with a header row, in one of two formats, detected from the header:
 * - list: a column named `labels` (or `tags`) holding names separated by `sep`; the first column is the image id;
 * - one-hot: the first column is the id and every other column is a label holding 0 or 1 (a label
 *   whose column is all 0 is declared with no images).
 * Label order: list format sorts names; one-hot keeps the column order. A column named `split` (any
 * case) is never a label: see `readLabelsTable`.
 * Every problem is an `InputError` naming the file and line.
 */
export function readLabelsCsv(path: string, options: LabelsCsvOptions = {}): LabelMatrix {
  return readLabelsTable(path, options).labels;
}

/** `readLabelsCsv`, plus each row's split when the file has a `split` column. */
export function readLabelsTable(path: string, options: LabelsCsvOptions = {}): LabelsTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseLabelsTable(text, path, options);
}

export function parseLabelsCsv(text: string, file: string, options: LabelsCsvOptions = {}): LabelMatrix {
  return parseLabelsTable(text, file, options).labels;
}

export function parseLabelsTable(text: string, file: string, options: LabelsCsvOptions = {}): LabelsTable {
  const sep = options.sep ?? '|';
  if (sep.length === 0) throw new InputError(`--sep must not be empty`);
  if (text.trim().length === 0) throw new InputError(`${file}: empty file; expected a header row, then one row per image`);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { info: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new InputError(`${file}:${openQuoteLine(text)}: unterminated quote (a quoted field is never closed)`);
    }
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      throw new InputError(`${file}:${e.lines}: wrong number of columns (${e.message.replace(/^.*?: /, '').replace(/ on line \d+$/, '')})`);
    }
    throw new InputError(`${file}:${e.lines ?? '?'}: ${e.message}`);
  }
  const header = rows[0].record;
  if (header.length < 2) {
    throw new InputError(`${file}:1: header has ${header.length} column; expected an id column and either a "labels" column or one 0/1 column per label`);
  }
  const labelsColumn = header.findIndex((h, c) => c > 0 && /^(labels|tags)$/i.test(h));
  const splitColumn = header.findIndex((h, c) => c > 0 && /^split$/i.test(h));
  if (labelsColumn < 0 && header.slice(1).every((h) => h === '0' || h === '1')) {
    throw new InputError(`${file}:1: no header row (the first row holds 0/1 values); expected "id,<label>,<label>,…" or "id,labels"`);
  }
  const body = rows.slice(1);
  const ids: string[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const id = record[0];
    if (id === '') throw new InputError(`${file}:${info.lines}: empty image id in the first column`);
    const first = seen.get(id);
    if (first !== undefined) throw new InputError(`${file}:${info.lines}: duplicate image id "${id}" (first on line ${first})`);
    seen.set(id, info.lines);
    const problem = options.checkId?.(id);
    if (problem !== undefined) throw new InputError(`${file}:${info.lines}: ${problem}`);
    ids.push(id);
  }
  let splits: SplitName[] | undefined;
  if (splitColumn >= 0) {
    splits = body.map(({ record, info }) => {
      const value = record[splitColumn].toLowerCase();
      if (!(SPLITS as readonly string[]).includes(value)) {
        throw new InputError(`${file}:${info.lines}: split "${record[splitColumn]}" is not one of ${SPLITS.join(', ')} (any case)`);
      }
      return value as SplitName;
    });
  }
  const table = (labels: LabelMatrix): LabelsTable => (splits ? { labels, splits } : { labels });

  if (labelsColumn >= 0) {
    const perRow = body.map(({ record }) =>
      record[labelsColumn]
        .split(sep)
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );
    const names = [...new Set(perRow.flat())].sort();
    const index = new Map(names.map((n, l) => [n, l]));
    return table(
      LabelMatrix.fromRows(
        names,
        perRow.map((r) => r.map((n) => index.get(n)!)),
        ids,
      ),
    );
  }

  const columns = header.map((_, c) => c).filter((c) => c > 0 && c !== splitColumn);
  const names = columns.map((c) => header[c]);
  if (names.length === 0) throw new InputError(`${file}:1: no label columns beside the id and split columns; expected "id,<label>,<label>,…" or "id,labels"`);
  const duplicate = names.find((n, k) => names.indexOf(n) !== k);
  if (duplicate !== undefined) throw new InputError(`${file}:1: label column "${duplicate}" appears twice in the header`);
  const blank = names.indexOf('');
  if (blank >= 0) throw new InputError(`${file}:1: column ${columns[blank] + 1} has an empty label name`);
  const m = new LabelMatrix(body.length, names, undefined, ids);
  body.forEach(({ record, info }, i) => {
    for (let l = 0; l < names.length; l++) {
      const cell = record[columns[l]];
      if (cell === '1') m.set(i, l, true);
      else if (cell !== '0') {
        throw new InputError(`${file}:${info.lines}: column "${names[l]}" holds "${cell}"; expected 0 or 1`);
      }
    }
  });
  return table(m);
}

/** The line on which the quoted field that never closes was opened. */
function openQuoteLine(text: string): number {
  let line = 1;
  let inQuote = false;
  let openedAt = 1;
  let fieldStart = true;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (inQuote) {
      if (ch === '"') {
        if (text[k + 1] === '"') k++;
        else inQuote = false;
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      inQuote = true;
      openedAt = line;
    }
    fieldStart = ch === ',' || ch === '\n';
    if (ch === '\n') line++;
  }
  return openedAt;
}
