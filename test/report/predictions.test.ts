import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.js';
import { InputError } from '../../src/errors.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import { parsePredictionsCsv, predictionsCsv, readPredictions, writePredictions } from '../../src/report/predictions.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skewbench-predictions-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function randomPredictions(seed: number, n: number, labels: string[]) {
  const rng = createRng(seed);
  const rows = Array.from({ length: n }, () => labels.flatMap((_, l) => (rng.float() < 0.3 ? [l] : [])));
  const truth = LabelMatrix.fromRows(labels, rows);
  const scores = Float32Array.from({ length: n * labels.length }, () => rng.float());
  return { truth, scores };
}

describe('predictions files', () => {
  it('has one row per test image: its id, true:<label> then score:<label>', () => {
    const truth = LabelMatrix.fromRows(['cat', 'dog'], [[0], [0, 1], []]);
    const scores = Float32Array.from([0.75, 0.25, 0.5, 0.125, 0, 1]);
    expect(predictionsCsv(truth, scores)).toBe('image,true:cat,true:dog,score:cat,score:dog\ntest:000000,1,0,0.75,0.25\ntest:000001,1,1,0.5,0.125\ntest:000002,0,0,0,1\n');
    const named = LabelMatrix.fromRows(['cat', 'dog'], [[0], [0, 1], []], ['a.png', 'sub/b, c.png', 'd.jpg']);
    expect(predictionsCsv(named, scores).split('\n').map((line) => line.split(',')[0])).toEqual(['image', 'a.png', '"sub/b', 'd.jpg', '']);
    expect(parsePredictionsCsv(predictionsCsv(named, scores), 'p.csv').truth.ids).toEqual(['a.png', 'sub/b, c.png', 'd.jpg']);
  });

  it('reads files written before the image column', () => {
    const old = parsePredictionsCsv('true:cat,true:dog,score:cat,score:dog\n1,0,0.75,0.25\n0,1,0.5,0.125\n', 'old.csv');
    expect(old.truth.labels).toEqual(['cat', 'dog']);
    expect(old.truth.ids).toBeUndefined();
    expect(old.scores).toEqual(Float64Array.from([0.75, 0.25, 0.5, 0.125]));
  });

  it('round-trips truth and the exact float32 scores, so metrics recomputed from the file agree exactly', () => {
    const labels = ['a', 'b, with comma', 'c'];
    const { truth, scores } = randomPredictions(7, 60, labels);
    const path = writePredictions(dir, 'abc123def456', truth, scores);
    expect(path).toBe(join(dir, 'predictions', 'abc123def456.csv'));
    const back = readPredictions(path);
    expect(back.truth.labels).toEqual(labels);
    expect(back.truth.toDense()).toEqual(truth.toDense());
    expect(back.scores).toEqual(Float64Array.from(scores));
    const trainCounts = [100, 30, 5];
    expect(evaluate({ scores: back.scores, truth: back.truth, trainCounts })).toEqual(evaluate({ scores, truth, trainCounts }));
  });

  it('refuses a trial id that is not a plain file name', () => {
    const truth = LabelMatrix.fromRows(['a'], [[0]]);
    expect(() => writePredictions(dir, '../escape', truth, Float32Array.from([1]))).toThrow(/cannot name a file/);
    expect(() => predictionsCsv(truth, Float32Array.from([1, 2]))).toThrow(/2 values, expected 1 images × 1 labels/);
  });

  it('reports a bad header or cell with file and line', () => {
    const file = join(dir, 'p.csv');
    const expectError = (text: string, message: RegExp) => {
      writeFileSync(file, text);
      expect(() => readPredictions(file)).toThrow(InputError);
      expect(() => readPredictions(file)).toThrow(message);
    };
    expectError('true:a,score:b\n1,0.5\n', /p\.csv:1: expected the columns image \(optional\), then true:<label>… then score:<label>…/);
    expectError('true:a,score:a\n2,0.5\n', /p\.csv:2: column "true:a": expected 0 or 1, got "2"/);
    expectError('true:a,score:a\n1,0.5\n0,high\n', /p\.csv:3: column "score:a": expected a finite number, got "high"/);
    expect(parsePredictionsCsv(readFileSync(file, 'utf8').replace('high', '0.25'), file).scores).toEqual(Float64Array.from([0.5, 0.25]));
  });
});
