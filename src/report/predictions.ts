import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { Scores } from '../eval/metrics.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { LabelMatrix } from '../labels/matrix.js';
import { parseCsvTable, readText, toCsv, type Cell } from './csv.js';

/*
 * predictions/<trial>.csv: a trial's test predictions, one row per test image: `image` (the image's
 * id: a folder's file name, else `test:000123`, the row of the test set), `true:<label>` (0/1)
 * for every label, then `score:<label>` for every label. Files written before the `image` column
 * are read as well. Scores are written as the exact double of
 * each value, so metrics recomputed from the file equal the trial's own to the last digit.
 */

export const PREDICTIONS_DIR = 'predictions';
const TRUE_PREFIX = 'true:';
const SCORE_PREFIX = 'score:';
const IMAGE_COLUMN = 'image';
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function predictionsCsv(truth: LabelMatrix, scores: Scores): string {
  const n = truth.rows;
  const L = truth.numLabels;
  if (scores.length !== n * L) throw new RangeError(`scores has ${scores.length} values, expected ${n} images × ${L} labels = ${n * L}`);
  const columns = [IMAGE_COLUMN, ...truth.labels.map((l) => TRUE_PREFIX + l), ...truth.labels.map((l) => SCORE_PREFIX + l)];
  const width = String(Math.max(0, n - 1)).length;
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const row: Cell[] = new Array(1 + 2 * L);
    row[0] = truth.ids?.[i] ?? syntheticImageId(i, Math.max(6, width));
    for (let l = 0; l < L; l++) {
      row[1 + l] = truth.has(i, l) ? 1 : 0;
      row[1 + L + l] = scores[i * L + l];
    }
    rows.push(row);
  }
  return toCsv(columns, rows);
}

/** The id of test row i of data whose images have no names of their own. */
export function syntheticImageId(i: number, digits = 6): string {
  return `test:${String(i).padStart(digits, '0')}`;
}

export function predictionsPath(dir: string, trial: string): string {
  if (!SAFE_FILE_NAME.test(trial)) throw new RangeError(`trial id ${JSON.stringify(trial)} cannot name a file`);
  return join(dir, PREDICTIONS_DIR, `${trial}.csv`);
}

/** Write `<dir>/predictions/<trial>.csv` atomically; returns its path. */
export function writePredictions(dir: string, trial: string, truth: LabelMatrix, scores: Scores): string {
  const path = predictionsPath(dir, trial);
  writeFileAtomic(path, predictionsCsv(truth, scores));
  return path;
}

export interface Predictions {
  /** Truth, with the images' ids when the file has an `image` column. */
  truth: LabelMatrix;
  /** n × L row-major, as the evaluation takes them. */
  scores: Float64Array;
}

/** Read a predictions file back; a bad header or cell is an InputError naming file and line. */
export function parsePredictionsCsv(text: string, file: string): Predictions {
  const { header: all, rows } = parseCsvTable(text, file, []);
  const hasIds = all[0] === IMAGE_COLUMN;
  const header = hasIds ? all.slice(1) : all;
  const L = header.length / 2;
  const labels = header.slice(0, L).map((c) => c.slice(TRUE_PREFIX.length));
  const valid =
    Number.isInteger(L) &&
    header.slice(0, L).every((c) => c.startsWith(TRUE_PREFIX)) &&
    header.slice(L).every((c, l) => c === SCORE_PREFIX + labels[l]);
  if (!valid) throw new InputError(`${file}:1: expected the columns image (optional), then true:<label>… then score:<label>… for the same labels in the same order`);
  const dense = new Uint8Array(rows.length * L);
  const scores = new Float64Array(rows.length * L);
  rows.forEach((row, i) => {
    for (let l = 0; l < L; l++) {
      const t = row.raw(header[l]);
      if (t !== '0' && t !== '1') throw new InputError(`${file}:${row.line}: column "${header[l]}": expected 0 or 1, got ${JSON.stringify(t)}`);
      dense[i * L + l] = t === '1' ? 1 : 0;
      scores[i * L + l] = row.number(header[L + l]);
    }
  });
  const ids = hasIds ? rows.map((row) => row.raw(IMAGE_COLUMN)) : undefined;
  return { truth: LabelMatrix.fromDense(labels, dense, ids), scores };
}

export function readPredictions(path: string): Predictions {
  return parsePredictionsCsv(readText(path, 'the predictions'), path);
}
