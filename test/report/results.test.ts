import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { installedVersion, readManifest } from '../../src/report/manifest.js';
import type { TrialRecord } from '../../src/records/records.js';
import {
  PER_LABEL_COLUMNS,
  perLabelCsv,
  readResults,
  trialsCsv,
  writeResults,
  type WriteResultsOptions,
} from '../../src/report/results.js';
import { writePredictions } from '../../src/report/predictions.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { evaluatedRecord, failedRecord, labelRow, okRecord, smallSpec } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skewbench-results-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const options = (): WriteResultsOptions => ({
  spec: smallSpec(),
  startedAt: new Date('2025-01-02T03:04:05.000Z'),
  finishedAt: new Date('2025-01-02T03:06:35.500Z'),
});

/** Every kind of value a record can hold: real evaluations, a failure with a NaN loss, doubles that print long. */
function mixedRecords(): TrialRecord[] {
  return [
    evaluatedRecord('baseline', 1),
    evaluatedRecord('weighted', 1),
    okRecord(
      { method: 'baseline', seed: 2, finalLoss: 0.1 + 0.2, imagesPerSecond: 1 / 3, timings: { data: 1e-7, plan: 0, train: 123.456789012345, predict: 5e-324, evaluate: 2 ** -30, total: 1e21 } },
      { micro_f1: 0.30000000000000004, head_f1: null, macro_f1_tuned: null },
    ),
    okRecord({ method: 'weighted', seed: 2, finalLoss: -0, perLabel: [labelRow('cat', { threshold: null, f1_tuned: null, precision: 1 / 7 })] }),
    failedRecord({ method: 'weighted', seed: 3, reason: 'out of memory, "conv2d":\nline two' }),
    failedRecord({ method: 'baseline', seed: 3, finalLoss: Infinity, reason: null }),
  ];
}

describe('writeResults / readResults', () => {
  it('reads back exactly the records it wrote', () => {
    const records = mixedRecords();
    writeResults(dir, records, options());
    const back = readResults(dir);
    expect(back).toEqual(records);
    // the values String() would lose or that are not finite
    expect(Object.is(back[3].finalLoss, -0)).toBe(true);
    expect(back[4].finalLoss).toBeNaN();
  });

  it('keeps the second stage of a cRT trial, timed on its own, and no such time for the others', () => {
    const records = mixedRecords();
    records[0] = { ...records[0], timings: { ...records[0].timings, retrain: 1.25 } };
    writeResults(dir, records, options());
    const back = readResults(dir);
    expect(back).toEqual(records);
    expect(back[0].timings.retrain).toBe(1.25);
    expect(back[1].timings).not.toHaveProperty('retrain');
  });

  it('keeps each trial’s training history in history.csv, listed and hashed in the manifest; a run without one leaves none behind', () => {
    const records = mixedRecords();
    records[0] = { ...records[0], history: [
      { epoch: 1, step: 5, loss: 0.6931471805599453, valLoss: 0.5, valMacroF1: 0.25, seconds: 1.5 },
      { epoch: 2, step: 10, loss: 0.1 + 0.2, valLoss: null, valMacroF1: null, seconds: 3 },
    ] };
    writeResults(dir, records, options());
    expect(readFileSync(join(dir, 'history.csv'), 'utf8').split('\n')[0]).toBe('trial,epoch,step,loss,val_loss,val_macro_f1,seconds');
    expect(readManifest(dir).files).toContain('history.csv');
    const back = readResults(dir);
    expect(back).toEqual(records);
    expect(back[1]).not.toHaveProperty('history');
    // Another run into the folder, without histories: the old history.csv goes.
    const without = mixedRecords();
    writeResults(dir, without, options());
    expect(existsSync(join(dir, 'history.csv'))).toBe(false);
    expect(readResults(dir)).toEqual(without);
  });

  it('writes rows in grid order whatever order the trials finished in', () => {
    const records = mixedRecords();
    writeResults(dir, [...records].reverse(), options());
    expect(readResults(dir).map((r) => r.trial)).toEqual(records.map((r) => r.trial));
  });

  it('gives byte-identical CSVs for the same records', () => {
    const records = mixedRecords();
    writeResults(dir, records, options());
    const first = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv'].map((f) => readFileSync(join(dir, f)));
    const other = join(dir, 'again');
    writeResults(other, [...records].reverse(), { ...options(), finishedAt: new Date() });
    const second = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv'].map((f) => readFileSync(join(other, f)));
    expect(second).toEqual(first);
  });

  it('names the per-label columns exactly as documented', () => {
    writeResults(dir, mixedRecords(), options());
    const header = readFileSync(join(dir, 'per_label.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('trial,dataset,skew,method,seed,label,train_count,group,support,precision,recall,f1,threshold,f1_tuned,ap,tp,fp,fn');
    expect(PER_LABEL_COLUMNS.slice(0, 15).join(',')).toBe('trial,dataset,skew,method,seed,label,train_count,group,support,precision,recall,f1,threshold,f1_tuned,ap');
  });

  it('writes the trial table columns: ids, config, metrics, timings, throughput, backend, status', () => {
    writeResults(dir, mixedRecords(), options());
    const [header, ...rows] = readFileSync(join(dir, 'trials.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe(
      'trial,index,suite,dataset,skew,model,method,seed,train_images,epochs,steps,final_loss,' +
        'macro_f1,micro_f1,map,head_f1,medium_f1,tail_f1,macro_f1_tuned,macro_precision,macro_recall,micro_precision,micro_recall,' +
        'images,labels,labels_without_support,head_labels,medium_labels,tail_labels,' +
        'data_seconds,plan_seconds,train_seconds,predict_seconds,evaluate_seconds,total_seconds,' +
        'images_per_second,backend,backend_version,status,reason,data_fingerprint,retrain_seconds',
    );
    // the baseline of seed 2: shortest round-trip numbers, nulls as empty cells
    expect(rows[2].replace(/^\w+,\d+,/, 'ID,INDEX,')).toBe(
      'ID,INDEX,tiny,shapes,exponential:10,cnn,baseline,2,300,2,10,0.30000000000000004,' +
        '0.5714285714285714,0.30000000000000004,0.55,,0.5714285714285714,0.5714285714285714,,0.6666666666666666,0.5,0.6,0.5,' +
        '40,3,0,1,1,1,' +
        '1e-7,0,123.456789012345,5e-324,9.313225746154785e-10,1e+21,' +
        '0.3333333333333333,cpu,4.22.0,ok,,0123456789abcdef,',
    );
  });

  it('writes the seed statistics with Δ, interval and significance', () => {
    const records = [
      ...[0.5, 0.6, 0.7].map((v, k) => okRecord({ method: 'baseline', seed: k + 1 }, { macro_f1: v })),
      ...[0.56, 0.67, 0.75].map((v, k) => okRecord({ method: 'weighted', seed: k + 1 }, { macro_f1: v })),
    ];
    writeResults(dir, records, options());
    const lines = readFileSync(join(dir, 'summary.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('dataset,skew,method,metric,n,mean,sd,ci_low,ci_high,delta_n,delta_mean,delta_sd,delta_ci_low,delta_ci_high,significant,level');
    const row = (method: string, metric: string) => lines.find((l) => l.startsWith(`shapes,exponential:10,${method},${metric},`))!.split(',');
    const base = row('baseline', 'macro_f1');
    expect(base.slice(4, 7).map(Number)).toEqual([3, 0.6, expect.closeTo(0.1, 15)]);
    expect(base.slice(9, 16)).toEqual(['', '', '', '', '', '', '0.95']);
    const weighted = row('weighted', 'macro_f1');
    expect(Number(weighted[10])).toBeCloseTo(0.06, 14);
    expect(Number(weighted[12])).toBeGreaterThan(0);
    expect(weighted[14]).toBe('true');
    // train seconds are summarised too; every summary metric of every run is a row
    expect(row('weighted', 'train_seconds')[5]).toBe('2.5');

    const perLabel = readFileSync(join(dir, 'per_label_summary.csv'), 'utf8').split('\n');
    expect(perLabel[0]).toBe('dataset,skew,method,label,train_count,group,metric,n,mean,sd,ci_low,ci_high,delta_n,delta_mean,delta_sd,delta_ci_low,delta_ci_high,significant,level');
    expect(perLabel.filter((l) => l.startsWith('shapes,exponential:10,weighted,eel,8,tail,f1,3,')).length).toBe(1);
  });

  it('writes the manifest: spec, versions, runtime, git commit, times and each trial', () => {
    const records = mixedRecords();
    writeResults(dir, records, { ...options(), predictions: [records[0].trial] });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.spec).toEqual(smallSpec());
    expect(manifest.suite).toBe('tiny');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(manifest.skewbench.version).toBe(pkg.version);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].sort());
    expect(manifest.dependencies['csv-stringify']).toBe(JSON.parse(readFileSync('node_modules/csv-stringify/package.json', 'utf8')).version);
    expect(manifest.dependencies['@tensorflow/tfjs-core']).toMatch(/^4\.22\./);
    let head: string | null = null;
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      head = null;
    }
    expect(manifest.skewbench.commit).toBe(head);
    expect(manifest.runtime.node).toBe(process.version);
    expect(manifest.backends).toEqual([{ backend: 'cpu', version: '4.22.0' }]);
    expect(manifest.startedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(manifest.finishedAt).toBe('2025-01-02T03:06:35.500Z');
    expect(manifest.wallSeconds).toBe(150.5);
    expect(manifest.counts).toEqual({ trials: 6, ok: 4, failed: 2 });
    expect(manifest.trials.map((t: { trial: string; status: string }) => [t.trial, t.status])).toEqual(records.map((r) => [r.trial, r.status]));
    expect(manifest.trials[4].reason).toBe('out of memory, "conv2d":\nline two');
    expect(readManifest(dir)).toEqual(manifest);
    expect(manifest.files).toEqual(['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'manifest.json', `predictions/${records[0].trial}.csv`]);
    expect(manifest.data).toBeUndefined();
  });

  it('records the per-split label counts of data with a split of its own in the manifest', () => {
    const dataSplits = { train: { cat: 70, dog: 7 }, val: { cat: 10, dog: 1 }, test: { cat: 20, dog: 2 } };
    writeResults(dir, mixedRecords(), { ...options(), dataSplits });
    expect(readManifest(dir).data).toEqual({ splits: dataSplits });
  });

  it('leaves no temporary files behind', () => {
    const records = mixedRecords();
    writeResults(dir, records, options());
    writeResults(dir, records, options());
    writePredictions(dir, records[0].trial, LabelMatrix.fromRows(['a'], [[0], []]), Float32Array.from([0.9, 0.1]));
    const all = readdirSync(dir, { recursive: true }).map(String).sort();
    expect(all).toEqual(['manifest.json', 'per_label.csv', 'per_label_summary.csv', 'predictions', `predictions/${records[0].trial}.csv`, 'summary.csv', 'trials.csv']);
  });

  it('writes nothing when a record is inconsistent', () => {
    const target = join(dir, 'out');
    const bad = okRecord({ method: 'baseline', seed: 1 });
    bad.timings = { ...bad.timings, train: NaN };
    expect(() => writeResults(target, [evaluatedRecord('baseline', 2), bad], options())).toThrow(/trial t\w+ \(baseline, seed 1\): timings\.train is NaN/);
    const okWithoutSummary = { ...okRecord({ method: 'baseline', seed: 1 }), summary: null };
    expect(() => writeResults(target, [okWithoutSummary], options())).toThrow(/status ok but no summary/);
    const nanLabel = okRecord({ method: 'baseline', seed: 1, perLabel: [labelRow('cat', { ap: NaN })] });
    expect(() => writeResults(target, [nanLabel], options())).toThrow(/label "cat": ap is NaN, expected a finite number/);
    expect(() => writeResults(target, [failedRecord({ method: 'baseline', seed: 1, reason: '' })], options())).toThrow(/reason is an empty string/);
    const twice = evaluatedRecord('baseline', 3);
    expect(() => writeResults(target, [twice, twice], options())).toThrow(/appears twice/);
    expect(existsSync(target)).toBe(false);
  });

  it('reads a folder with only failed trials', () => {
    const records = [failedRecord({ method: 'baseline', seed: 1 })];
    writeResults(dir, records, options());
    expect(readFileSync(join(dir, 'per_label.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
    expect(readResults(dir)).toEqual(records);
  });
});

describe('readResults errors', () => {
  /** Write good results, then let `edit` corrupt one file. */
  function corrupt(file: 'trials.csv' | 'per_label.csv', edit: (text: string) => string): () => TrialRecord[] {
    writeResults(dir, mixedRecords(), options());
    const path = join(dir, file);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    return () => readResults(dir);
  }

  function expectInputError(read: () => unknown, message: RegExp): void {
    let error: unknown;
    try {
      read();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  }

  it('names a missing file', () => {
    expectInputError(() => readResults(join(dir, 'nowhere')), /nowhere[/\\]trials\.csv: cannot read the trials table \(no such file\)/);
  });

  it('names missing columns', () => {
    const read = corrupt('per_label.csv', (t) => t.replace('f1_tuned,', 'f1_tuned_x,').replace(',ap,', ',AP,'));
    expectInputError(read, /per_label\.csv:1: missing columns "f1_tuned", "ap"; expected the columns trial, dataset/);
  });

  it('names the file, line and column of a bad number', () => {
    const read = corrupt('trials.csv', (t) => {
      const lines = t.split('\n');
      lines[2] = lines[2].replace(/,cpu,/, ',cpu,').replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,)\d+,/, '$1two,');
      return lines.join('\n');
    });
    expectInputError(read, /trials\.csv:3: column "seed": expected a finite number, got "two"/);
  });

  it('rejects an empty metric of a finished trial and a fractional count', () => {
    const empty = corrupt('per_label.csv', (t) => t.replace(/\n([^\n]*?),(medium|head|tail),(\d+),[^,]+,/, '\n$1,$2,$3,,'));
    expectInputError(empty, /per_label\.csv:2: column "precision": expected a finite number, got an empty cell/);
    const fractional = corrupt('per_label.csv', (t) => t.replace(/\n([^\n]*?),(medium|head|tail),\d+,/, '\n$1,$2,2.5,'));
    expectInputError(fractional, /per_label\.csv:2: column "support": expected a non-negative integer, got "2\.5"/);
  });

  it('rejects a bad status and a bad group', () => {
    expectInputError(
      corrupt('trials.csv', (t) => t.replace(',ok,', ',done,')),
      /trials\.csv:2: column "status": expected one of ok, failed, got "done"/,
    );
    expectInputError(
      corrupt('per_label.csv', (t) => t.replace(/,(head|medium|tail),/, ',rare,')),
      /per_label\.csv:2: column "group": expected one of head, medium, tail, got "rare"/,
    );
  });

  it('rejects label rows of an unknown trial, a mismatched config or a missing label', () => {
    expectInputError(corrupt('per_label.csv', (t) => t.replace(/\n\w+,/, '\nnosuchtrial,')), /per_label\.csv:2: trial nosuchtrial is not in .*trials\.csv/);
    expectInputError(corrupt('per_label.csv', (t) => t.replace(/\n(\w+),shapes,/, '\n$1,mnist,')), /per_label\.csv:2: column "dataset" is "mnist" but .*trials\.csv has "shapes"/);
    expectInputError(
      corrupt('per_label.csv', (t) => t.split('\n').filter((_, i) => i !== 1).join('\n')),
      /per_label\.csv: trial \w+ has 2 label rows but .*trials\.csv says it has 3 labels/,
    );
    expectInputError(
      corrupt('per_label.csv', (t) => {
        const lines = t.split('\n');
        return [lines[0], lines[2], ...lines.slice(2)].join('\n');
      }),
      /per_label\.csv:3: label "b" of trial \w+ appears twice \(first on line 2\)/,
    );
  });

  it('rejects duplicate trials and ragged rows', () => {
    expectInputError(
      corrupt('trials.csv', (t) => {
        const lines = t.split('\n');
        return [lines[0], lines[1], ...lines.slice(1)].join('\n');
      }),
      /trials\.csv:3: trial \w+ appears twice \(first on line 2\)/,
    );
    expectInputError(corrupt('trials.csv', (t) => t.replace(/\n([^\n]*)\n/, '\n$1,extra\n')), /trials\.csv:2: wrong number of columns/);
  });

  it('names a manifest that is missing, not JSON or without a spec', () => {
    expectInputError(() => readManifest(dir), /manifest\.json: cannot read the manifest \(no such file\)/);
    writeFileSync(join(dir, 'manifest.json'), '{"spec": ');
    expectInputError(() => readManifest(dir), /manifest\.json: not valid JSON/);
    writeFileSync(join(dir, 'manifest.json'), '{"trials": []}');
    expectInputError(() => readManifest(dir), /manifest\.json: spec: expected the suite spec object/);
  });

  it('rejects an empty trials file', () => {
    expectInputError(corrupt('trials.csv', () => ''), /trials\.csv: empty file; expected a header row with trial, index/);
  });
});

describe('CSV text', () => {
  it('quotes label names with commas, quotes and newlines', () => {
    const text = perLabelCsv([evaluatedRecord('baseline', 1)]);
    expect(text).toContain(',"round, ""quoted"" label",');
    expect(trialsCsv([failedRecord({ method: 'm', seed: 1, reason: 'a,b' })])).toMatch(/,failed,"a,b",[0-9a-f]*,\n$/);
  });
  it('uses installedVersion for a package nobody installed', () => {
    expect(installedVersion('surely-not-installed-skewbench-package')).toBeNull();
  });
});
