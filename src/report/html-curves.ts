import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';
import { parseCsvTable, readText } from './csv.js';
import type { TrialRecord } from '../records/records.js';

/*
 * Learning curves from a results folder's history.csv, which `run` writes: one row per trial and
 * epoch, columns `trial, epoch`, the bookkeeping columns `step` and `seconds`, and any numeric series
 * (`loss`, `val_loss`, `val_macro_f1`, …). The report draws it when it is there and says so when not.
 */

export const HISTORY_FILE = 'history.csv';

/** Columns of history.csv that are no curve. */
const NOT_SERIES: ReadonlySet<string> = new Set(['trial', 'epoch', 'step', 'seconds']);

export interface CurvePoint {
  trial: string;
  panel: string;
  method: string;
  seed: number;
  epoch: number;
  series: string;
  value: number;
}

/** history.csv of `dir`, matched to the trials; null when the folder has none. */
export function readLearningCurves(dir: string, records: readonly TrialRecord[]): CurvePoint[] | null {
  const file = join(dir, HISTORY_FILE);
  if (!existsSync(file)) return null;
  return parseLearningCurves(readText(file, 'the training history'), file, records);
}

export function parseLearningCurves(text: string, file: string, records: readonly TrialRecord[]): CurvePoint[] {
  const { header, rows } = parseCsvTable(text, file, ['trial', 'epoch']);
  const series = header.filter((c) => !NOT_SERIES.has(c));
  if (series.length === 0) throw new InputError(`${file}:1: no series column after trial and epoch; expected e.g. loss`);
  const byId = new Map(records.map((r) => [r.trial, r]));
  const points: CurvePoint[] = [];
  for (const row of rows) {
    const trial = row.string('trial');
    const record = byId.get(trial);
    if (!record) throw new InputError(`${file}:${row.line}: trial ${trial} is not in the folder's trials.csv`);
    const epoch = row.integer('epoch');
    for (const s of series) {
      const value = row.optionalNumber(s);
      if (value === null) continue;
      points.push({ trial, panel: `${record.dataset} · ${record.skew}`, method: record.method, seed: record.seed, epoch, series: s, value });
    }
  }
  return points;
}

/** One line per trial (colour: method), one column of panels per dataset × skew, one row per series. */
export function learningCurveSpec(points: readonly CurvePoint[], methods: readonly string[]): TopLevelSpec {
  const panels = [...new Set(points.map((p) => p.panel))];
  const series = [...new Set(points.map((p) => p.series))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Learning curves', subtitle: 'one line per trial; colour: method', anchor: 'start' },
    data: { values: points },
    facet: { column: { field: 'panel', type: 'nominal', sort: panels, title: null }, row: { field: 'series', type: 'nominal', sort: series, title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300,
      height: 180,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, title: 'epoch' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'method', type: 'nominal', sort: methods, scale: { domain: [...methods], scheme: methods.length <= 10 ? 'tableau10' : 'tableau20' } },
        detail: { field: 'trial', type: 'nominal' },
        tooltip: [
          { field: 'method', type: 'nominal' },
          { field: 'seed', type: 'quantitative' },
          { field: 'epoch', type: 'quantitative' },
          { field: 'series', type: 'nominal' },
          { field: 'value', type: 'quantitative', format: '.4f' },
        ],
      },
    },
    config: { background: 'white', font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
  } as unknown as TopLevelSpec;
}
