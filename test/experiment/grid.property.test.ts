import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandGrid, selectShard } from '../../src/experiment/grid.js';
import { parseSpec } from '../../src/experiment/spec.js';

const specArb = fc
  .record({
    skews: fc.uniqueArray(fc.constantFrom('uniform', 'exponential:10', 'exponential:50', 'pareto:20', 'step:0.3:20'), { minLength: 1, maxLength: 4 }),
    extraMethods: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/).filter((n) => n !== 'baseline'),
        loss: fc.constantFrom(undefined, { kind: 'focal' }, { kind: 'weighted-bce', weights: 'pos-weight' }),
        plan: fc.constantFrom(undefined, { method: 'rfs' }, { method: 'targeted', augment: ['flip', 'zoom'] }),
      }),
      { maxLength: 4, selector: (m) => m.name },
    ),
    seeds: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 5 })),
  })
  .map(({ skews, extraMethods, seeds }) =>
    parseSpec(
      {
        name: 'prop',
        dataset: { name: 'shapes' },
        skews,
        methods: [{ name: 'baseline' }, ...extraMethods.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)))],
        seeds,
      },
      'prop.json',
    ),
  );

describe('grid invariants', () => {
  it('has one trial per skew × method × seed, all ids unique and stable', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const trials = expandGrid(spec);
        expect(trials.length).toBe(spec.skews.length * spec.methods.length * spec.seeds.length);
        expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
        expect(expandGrid(structuredClone(spec)).map((t) => t.id)).toEqual(trials.map((t) => t.id));
        // one data key per skew × seed, shared by every method
        expect(new Set(trials.map((t) => t.dataKey)).size).toBe(spec.skews.length * spec.seeds.length);
      }),
    );
  });

  it('shards partition the grid: disjoint, covering, in order, sizes within one', () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 12 }), (spec, count) => {
        const trials = expandGrid(spec);
        const shards = Array.from({ length: count }, (_, i) => selectShard(trials, i + 1, count));
        const all = shards.flat().map((t) => t.index).sort((a, b) => a - b);
        expect(all).toEqual(trials.map((t) => t.index));
        for (const shard of shards) {
          const indices = shard.map((t) => t.index);
          expect(indices).toEqual([...indices].sort((a, b) => a - b));
        }
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // deterministic: selecting again gives the same trials
        expect(selectShard(trials, 1, count)).toEqual(shards[0]);
      }),
    );
  });
});
