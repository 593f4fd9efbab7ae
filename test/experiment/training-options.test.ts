import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { expandGrid } from '../../src/experiment/grid.js';
import { defaultThreads } from '../../src/experiment/runner.js';
import { parseSpec } from '../../src/experiment/spec.js';
import { runTrial } from '../../src/experiment/trial.js';
import { selectBackend, type BackendChoice } from '../../src/train/index.js';

/** A tiny suite whose `train` section is `train` (plus a few epochs and a small batch). */
function suite(train: Record<string, unknown>, methods: Record<string, unknown>[] = [{ name: 'baseline' }]) {
  return parseSpec(
    {
      name: 'options',
      dataset: { name: 'shapes', options: { nMax: 30, testPerLabel: 8 } },
      skews: ['exponential:5'],
      model: 'mlp',
      train: { epochs: 4, batchSize: 16, ...train },
      methods,
      seeds: [3],
    },
    'options.json',
  );
}

let backend: BackendChoice;
beforeAll(async () => {
  backend = await selectBackend('wasm');
});

describe('train.schedule, train.weightDecay and train.earlyStopping in a spec', () => {
  it('resolve their defaults, and a spec without them keeps its trial ids', () => {
    const plain = suite({});
    expect(plain.train).not.toHaveProperty('schedule');
    expect(plain.train).not.toHaveProperty('weightDecay');
    expect(plain.train).not.toHaveProperty('earlyStopping');
    expect(suite({ schedule: 'step' }).train.schedule).toEqual({ kind: 'step', at: [0.5, 0.75], factor: 0.1 });
    expect(suite({ schedule: { kind: 'cosine', warmup: 0.1 } }).train.schedule).toEqual({ kind: 'cosine', final: 0, warmup: 0.1 });
    expect(suite({ earlyStopping: {} }).train.earlyStopping).toEqual({ metric: 'val_loss', patience: 2, minDelta: 0, restoreBest: true });
    // The id this spec's trial had before these fields existed (computed with the code of that time,
    // '674a96956a36', then 'becb07d8987b' once TRIAL_CONFIG_VERSION became 2).
    expect(expandGrid(plain)[0].id).toBe('becb07d8987b');
    expect(expandGrid(suite({ schedule: 'cosine' }))[0].id).not.toBe(expandGrid(plain)[0].id);
  });

  it('train.threads never changes a trial id (it never changes a result); train.microBatches does', () => {
    const plain = expandGrid(suite({}))[0].id;
    expect(expandGrid(suite({ threads: 2 }))[0].id).toBe(plain);
    expect(expandGrid(suite({ threads: 2 }))[0].train.threads).toBe(2);
    expect(expandGrid(suite({ microBatches: 4 }))[0].id).not.toBe(plain);
    expect(() => suite({ threads: 0 })).toThrow(/options\.json: train\.threads/);
    expect(() => suite({ microBatches: 1.5 })).toThrow(/options\.json: train\.microBatches/);
  });

  it('a run gives each trial the cores its workers leave, at least one', () => {
    const cores = availableParallelism();
    expect(defaultThreads(1)).toBe(cores);
    expect(defaultThreads(cores)).toBe(1);
    expect(defaultThreads(cores * 3)).toBe(1);
    expect(defaultThreads(0)).toBe(cores);
  });

  it('refuse what they cannot mean, naming the JSON path', () => {
    expect(() => suite({ schedule: 'linear' })).toThrow(/options\.json: train\.schedule: expected one of constant, step, cosine/);
    expect(() => suite({ schedule: { kind: 'step', at: [0.8, 0.5] } })).toThrow(/train\.schedule\.at: expected ascending fractions/);
    expect(() => suite({ schedule: { kind: 'step', final: 0.1 } })).toThrow(/train\.schedule\.final: only a cosine schedule takes final/);
    expect(() => suite({ schedule: { kind: 'cosine', warmup: 1 } })).toThrow(/train\.schedule\.warmup/);
    expect(() => suite({ weightDecay: -0.1 })).toThrow(/train\.weightDecay: expected a number ≥ 0/);
    expect(() => suite({ earlyStopping: { metric: 'val_ap' } })).toThrow(/train\.earlyStopping\.metric: expected one of "val_loss", "val_macro_f1"/);
    expect(() => suite({ earlyStopping: { patience: 0 } })).toThrow(/train\.earlyStopping\.patience/);
  });

  it('a schedule and weight decay change what is learnt, reproducibly, on the same steps', async () => {
    const run = async (train: Record<string, unknown>) => (await runTrial(expandGrid(suite(train))[0], backend)).record;
    const base = await run({});
    for (const train of [{ schedule: 'cosine' }, { schedule: { kind: 'constant', warmup: 0.5 } }, { weightDecay: 0.1 }]) {
      const a = await run(train);
      const b = await run(train);
      expect(a.status, a.reason ?? '').toBe('ok');
      expect(a.steps).toBe(base.steps);
      expect(a.finalLoss).not.toBe(base.finalLoss);
      expect([train, a.perLabel]).toEqual([train, b.perLabel]);
    }
    // An explicit constant schedule without warm-up is the default, to the bit.
    expect((await run({ schedule: 'constant' })).perLabel).toEqual(base.perLabel);
  });

  it('early stopping ends training when validation stops improving, before the budget, and tests the best epoch’s weights', async () => {
    // A learning rate this high makes the validation loss climb after the first epochs.
    const train = { epochs: 30, learningRate: 0.05, earlyStopping: { patience: 1 } };
    const before = tf.memory().numTensors;
    const stopped = (await runTrial(expandGrid(suite(train))[0], backend)).record;
    expect(tf.memory().numTensors).toBe(before);
    expect(stopped.status, stopped.reason ?? '').toBe('ok');
    const full = (await runTrial(expandGrid(suite({ ...train, earlyStopping: undefined }))[0], backend)).record;
    expect(stopped.epochs).toBeLessThan(full.epochs);
    expect(stopped.steps).toBeLessThan(full.steps);
    const history = stopped.history!;
    // It stopped one epoch (the patience) after the best one, and the best was put back.
    const best = history.reduce((a, h) => (h.valLoss! < a.valLoss! ? h : a));
    expect(history.at(-1)!.epoch).toBe(best.epoch + 1);
    const kept = (await runTrial(expandGrid(suite({ ...train, earlyStopping: { patience: 1, restoreBest: false } }))[0], backend)).record;
    expect(kept.epochs).toBe(stopped.epochs);
    expect(kept.perLabel).not.toEqual(stopped.perLabel);
  });
});
