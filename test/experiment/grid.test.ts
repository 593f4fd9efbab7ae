import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { canonicalJson, expandGrid, parseShard, selectShard } from '../../src/experiment/grid.js';
import { parseSpec } from '../../src/experiment/spec.js';

const spec = parseSpec(
  {
    name: 'grid-test',
    dataset: { name: 'fashion-mosaic', options: { images: 500 } },
    skews: ['exponential:10', 'exponential:50'],
    methods: [
      { name: 'baseline' },
      { name: 'oversample', plan: { method: 'targeted', augment: ['flip'] } },
      { name: 'weighted', loss: { kind: 'weighted-bce', weights: 'inverse-frequency' } },
    ],
    seeds: [3, 1],
  },
  'grid.json',
);

/**
 * SHA-256 of {"dataset":{"name":"fashion-mosaic","options":{"images":500}},"evaluation":{"groups":{"head":100,"tail":20},"threshold":0.5},
 * "method":{"name":"baseline"},"model":"cnn","seed":3,"skew":"exponential:10","train":{"batchSize":64,"budget":"steps","epochs":5,
 * "learningRate":0.001},"version":1} (checked with Python's hashlib over json.dumps(sort_keys=True)).
 */
const PINNED_BASELINE_ID = '3a001e50366c';

describe('expandGrid', () => {
  const trials = expandGrid(spec);

  it('is skew × method × seed in spec order', () => {
    expect(trials.map((t) => `${t.skew}/${t.method.name}/${t.seed}`)).toEqual([
      'exponential:10/baseline/3', 'exponential:10/baseline/1',
      'exponential:10/oversample/3', 'exponential:10/oversample/1',
      'exponential:10/weighted/3', 'exponential:10/weighted/1',
      'exponential:50/baseline/3', 'exponential:50/baseline/1',
      'exponential:50/oversample/3', 'exponential:50/oversample/1',
      'exponential:50/weighted/3', 'exponential:50/weighted/1',
    ]);
    expect(trials.map((t) => t.index)).toEqual(trials.map((_, k) => k));
    expect(trials.every((t) => t.suite === 'grid-test' && t.model === 'cnn' && t.train.budget === 'steps')).toBe(true);
  });

  it('gives every trial a unique 12-hex id and the same data key to methods that share data', () => {
    expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
    expect(trials.every((t) => /^[0-9a-f]{12}$/.test(t.id) && /^[0-9a-f]{12}$/.test(t.dataKey))).toBe(true);
    const keyOf = (skew: string, method: string, seed: number) => trials.find((t) => t.skew === skew && t.method.name === method && t.seed === seed)!.dataKey;
    expect(keyOf('exponential:10', 'baseline', 3)).toBe(keyOf('exponential:10', 'weighted', 3));
    expect(keyOf('exponential:10', 'baseline', 3)).toBe(keyOf('exponential:10', 'oversample', 3));
    expect(keyOf('exponential:10', 'baseline', 3)).not.toBe(keyOf('exponential:10', 'baseline', 1));
    expect(keyOf('exponential:10', 'baseline', 3)).not.toBe(keyOf('exponential:50', 'baseline', 3));
    expect(new Set(trials.map((t) => t.dataKey)).size).toBe(4);
  });

  it('keeps ids stable: across runs, field order, suite names and grid positions', () => {
    // Pinned: a changed id silently orphans stored results, so a change must be deliberate (bump TRIAL_CONFIG_VERSION).
    expect(trials[0].id).toBe(PINNED_BASELINE_ID);
    expect(expandGrid(spec).map((t) => t.id)).toEqual(trials.map((t) => t.id));
    const reordered = parseSpec(
      {
        seeds: [1],
        methods: [{ loss: { weights: 'inverse-frequency', kind: 'weighted-bce' }, name: 'weighted' }, { name: 'baseline' }],
        skews: ['exponential:50'],
        dataset: { options: { images: 500 }, name: 'fashion-mosaic' },
        name: 'another-suite',
        train: { learningRate: 0.001, batchSize: 64 },
      },
      'other.json',
    );
    const again = expandGrid(reordered);
    const original = (method: string) => trials.find((t) => t.skew === 'exponential:50' && t.method.name === method && t.seed === 1)!;
    expect(again.find((t) => t.method.name === 'weighted')!.id).toBe(original('weighted').id);
    expect(again.find((t) => t.method.name === 'baseline')!.id).toBe(original('baseline').id);
    expect(again.find((t) => t.method.name === 'baseline')!.dataKey).toBe(original('baseline').dataKey);
  });

  it('changes the id when anything that affects the result changes', () => {
    const variants = [
      { ...spec, train: { ...spec.train, epochs: 6 } },
      { ...spec, model: 'mlp' as const },
      { ...spec, evaluation: { ...spec.evaluation, threshold: 0.4 } },
      { ...spec, dataset: { ...spec.dataset, options: { images: 501 } } },
      { ...spec, methods: [{ name: 'baseline', loss: { kind: 'focal' as const, weights: { scheme: 'none' as const }, options: {} } }] },
    ];
    for (const variant of variants) expect(expandGrid(variant)[0].id).not.toBe(trials[0].id);
    // data keys ignore what does not change the data
    expect(expandGrid(variants[0])[0].dataKey).toBe(trials[0].dataKey);
    expect(expandGrid(variants[3])[0].dataKey).not.toBe(trials[0].dataKey);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
    expect(() => canonicalJson({ a: NaN })).toThrow(RangeError);
  });
});

describe('shards', () => {
  const trials = expandGrid(spec);

  it('parses i/n and rejects anything else with a one-line error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0', '-1/2', '1.5/3']) {
      expect(() => parseShard(bad)).toThrow(InputError);
      expect(() => parseShard(bad)).toThrow(`--shard "${bad}": expected i/n with 1 ≤ i ≤ n, e.g. 2/4`);
    }
  });

  it('deals trials round-robin in grid order', () => {
    expect(selectShard(trials, 1, 5).map((t) => t.index)).toEqual([0, 5, 10]);
    expect(selectShard(trials, 5, 5).map((t) => t.index)).toEqual([4, 9]);
    expect(selectShard(trials, 1, 1)).toEqual(trials);
    expect(selectShard(trials, 20, 20)).toEqual([]);
    expect(() => selectShard(trials, 3, 2)).toThrow(InputError);
  });
});

describe('trial identity', () => {
  it('does not depend on execution settings: train.backend in the spec leaves every id as it was', () => {
    const withBackend = parseSpec({ ...spec, train: { ...spec.train, backend: 'cpu' } }, 'grid.json');
    expect(expandGrid(withBackend).map((t) => t.id)).toEqual(expandGrid(spec).map((t) => t.id));
    expect(expandGrid(spec).find((t) => t.method.name === 'baseline' && t.seed === 3 && t.skew === 'exponential:10')!.id).toBe(PINNED_BASELINE_ID);
  });
});
