import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { parseSpec } from '../../src/experiment/spec.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { datasetFor, lossFor, runTrial } from '../../src/experiment/trial.js';
import { executionOrder } from '../../src/experiment/runner.js';
import { selectBackend, type BackendChoice } from '../../src/train/index.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { InputError } from '../../src/errors.js';

const spec = parseSpec(
  {
    name: 'tiny',
    dataset: { name: 'shapes', options: { nMax: 30, testPerLabel: 8 } },
    skews: ['exponential:5'],
    model: 'mlp',
    train: { epochs: 1, batchSize: 16 },
    methods: [
      { name: 'baseline' },
      { name: 'oversample', plan: { method: 'targeted', augment: ['flip', 'zoom'] } },
      { name: 'weighted', loss: { kind: 'weighted-bce', weights: 'balanced-binary' } },
      { name: 'focal', loss: { kind: 'focal', options: { gamma: 2 } } },
      { name: 'db', loss: { kind: 'distribution-balanced' } },
      { name: 'drw', loss: { kind: 'weighted-bce', weights: 'effective-number', schedule: { from: 0.5 } } },
      { name: 'class-aware', sampler: { method: 'class-aware' } },
      { name: 'online', augment: { online: ['flip', 'zoom', 'brightness'] } },
      { name: 'crt', crt: { steps: 4 } },
      { name: 'crt-online', crt: { steps: 4 }, augment: { online: ['flip'] } },
    ],
    seeds: [3, 4],
  },
  'tiny.json',
);
const trials = expandGrid(spec);
let backend: BackendChoice;

beforeAll(async () => {
  backend = await selectBackend('wasm');
});

describe('runTrial', () => {
  it('runs every phase, records metrics and timings, and leaves no tensor behind', async () => {
    for (const trial of trials.filter((t) => t.seed === 3)) {
      const before = tf.memory().numTensors;
      const { record, predictions } = await runTrial(trial, backend);
      expect(tf.memory().numTensors).toBe(before);
      expect(record.status, record.reason ?? '').toBe('ok');
      expect(record.perLabel).toHaveLength(10);
      expect(record.summary!.labels).toBe(10);
      expect(record.timings.total).toBeGreaterThanOrEqual(record.timings.train);
      expect(record.steps).toBeGreaterThan(0);
      expect(predictions!.scores).toHaveLength(predictions!.truth.rows * 10);
    }
  });

  it('gives oversampling more images but, on the steps budget, the baseline’s steps', async () => {
    const [base, over] = ['baseline', 'oversample'].map((m) => trials.find((t) => t.seed === 4 && t.method.name === m)!);
    const a = (await runTrial(base, backend)).record;
    const b = (await runTrial(over, backend)).record;
    expect(b.trainImages).toBeGreaterThan(a.trainImages);
    expect(b.steps).toBe(a.steps);
  });

  it('online augmentation, online resampling and deferred weights change what is learnt, reproducibly, on the same data and steps', async () => {
    const of = (name: string) => trials.find((t) => t.seed === 4 && t.method.name === name)!;
    const base = (await runTrial(of('baseline'), backend)).record;
    for (const name of ['online', 'class-aware', 'drw']) {
      const a = (await runTrial(of(name), backend)).record;
      const b = (await runTrial(of(name), backend)).record;
      expect(a.status, a.reason ?? '').toBe('ok');
      expect([name, a.perLabel]).toEqual([name, b.perLabel]);
      expect(a.steps).toBe(base.steps);
      expect(a.trainImages).toBe(base.trainImages);
      expect(a.finalLoss).not.toBe(base.finalLoss);
    }
  });

  it('cRT: the baseline’s training, then its classifier re-trained alone, the second stage timed on its own', async () => {
    const of = (name: string) => trials.find((t) => t.seed === 4 && t.method.name === name)!;
    const base = (await runTrial(of('baseline'), backend)).record;
    const crt = (await runTrial(of('crt'), backend)).record;
    expect(crt.status, crt.reason ?? '').toBe('ok');
    expect(crt.steps).toBe(base.steps + 4);
    expect(crt.timings.retrain).toBeGreaterThan(0);
    expect(base.timings.retrain).toBeUndefined();
    expect(crt.perLabel.map((l) => l.ap)).not.toEqual(base.perLabel.map((l) => l.ap));
    expect(() => parseSpec({ ...spec, name: 'x', methods: [{ name: 'baseline' }, { name: 'c', crt: {}, plan: { method: 'rfs' } }] }, 'x.json')).toThrow(/methods\[1\]\.crt: cRT re-balances in its second stage/);
  });

  it('records one history row per epoch: the step, the training loss, the validation loss and macro-F1; cRT’s stage 2 continues it', async () => {
    const of = (name: string) => trials.find((t) => t.seed === 3 && t.method.name === name)!;
    const base = (await runTrial(of('baseline'), backend)).record;
    expect(base.history!.map((h) => h.epoch)).toEqual(Array.from({ length: base.epochs }, (_, i) => i + 1));
    expect(base.history!.at(-1)!.step).toBe(base.steps);
    expect(base.history!.at(-1)!.loss).toBe(base.finalLoss);
    for (const h of base.history!) {
      expect(h.valMacroF1!).toBeGreaterThanOrEqual(0);
      expect(h.valMacroF1!).toBeLessThanOrEqual(1);
      expect(h.valLoss!).toBeGreaterThan(0);
      expect(h.seconds).toBeGreaterThan(0);
    }
    const crt = (await runTrial(of('crt'), backend)).record;
    expect(crt.history!.length).toBe(crt.epochs + 1);
    expect(crt.history!.at(-1)).toMatchObject({ epoch: crt.epochs + 1, step: crt.steps });
  });

  it('is reproducible: the same trial twice gives the same metrics', async () => {
    const t = trials.find((x) => x.method.name === 'weighted' && x.seed === 4)!;
    const a = (await runTrial(t, backend)).record;
    const b = (await runTrial(t, backend)).record;
    expect(b.perLabel).toEqual(a.perLabel);
    expect(b.finalLoss).toBe(a.finalLoss);
  });

  it('records a failure with its reason, and the tensors are still released', async () => {
    const before = tf.memory().numTensors;
    const { record } = await runTrial(trials[0], backend, async () => {
      const d = await datasetFor(trials[0]);
      // train images no longer match their label rows: training must fail, not crash the suite
      return { ...d, train: { ...d.train, labels: d.train.labels.select([0, 1]) } };
    });
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/label rows/);
    expect(record.summary).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lets a user error (bad dataset option) through instead of recording it', async () => {
    const bad = { ...trials[0], dataset: { name: 'shapes', options: { nMax: -1 } } };
    await expect(runTrial(bad, backend)).rejects.toBeInstanceOf(InputError);
  });
});

describe('lossFor', () => {
  const train = { labels: LabelMatrix.fromRows(['a', 'b'], [[0], [0], [0, 1], []]) };
  it('maps spec losses to training losses, with weights from the training labels', () => {
    const byName = (n: string) => spec.methods.find((m) => m.name === n)!;
    expect(lossFor(byName('baseline'), { train } as never)).toEqual({ kind: 'bce' });
    const w = lossFor(byName('weighted'), { train } as never);
    expect(w.kind).toBe('weighted-bce');
    // balanced-binary: a has 3 of 4 images → w⁺ = 4/6, w⁻ = 4/2
    if (w.kind === 'weighted-bce') {
      expect(w.weights.pos[0]).toBeCloseTo(4 / 6, 12);
      expect(w.weights.neg[0]).toBeCloseTo(2, 12);
    }
    expect(lossFor(byName('focal'), { train } as never)).toEqual({ kind: 'focal', gamma: 2, alpha: undefined });
  });
});

describe('executionOrder', () => {
  it('runs every trial once, grouping trials that share data', () => {
    const order = executionOrder(trials);
    expect(order.map((t) => t.id).sort()).toEqual(trials.map((t) => t.id).sort());
    const keys = order.map((t) => t.dataKey);
    const runs = keys.filter((k, i) => i === 0 || k !== keys[i - 1]);
    expect(new Set(runs).size).toBe(runs.length);
  });
});
