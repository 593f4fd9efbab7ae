import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignLabels, downscale } from '../../src/data/mosaic.js';
import { createRng } from '../../src/labels/rng.js';

describe('assignLabels (properties)', () => {
  it('puts label l on exactly targets[l] images, 1 … maxPerImage distinct labels per image', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (targets, maxPerImage, seed) => {
          const rows = assignLabels(targets, maxPerImage, createRng(seed));
          const counts = new Array(targets.length).fill(0);
          for (const row of rows) {
            expect(row.length).toBeGreaterThanOrEqual(1);
            expect(row.length).toBeLessThanOrEqual(maxPerImage);
            expect(new Set(row).size).toBe(row.length);
            for (const l of row) counts[l]++;
          }
          expect(counts).toEqual(targets);
        },
      ),
    );
  });

  it('is a function of the seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 12 }), fc.integer(), (targets, seed) => {
        expect(assignLabels(targets, 4, createRng(seed))).toEqual(assignLabels(targets, 4, createRng(seed)));
      }),
    );
  });
});

describe('assignLabels: mixing', () => {
  it('spreads label sets: with equal targets every pair of labels shares some image', () => {
    for (const seed of [1, 2, 3]) {
      const rows = assignLabels(new Array(10).fill(100), 4, createRng(seed));
      const pairs = new Set<string>();
      for (const row of rows) for (const a of row) for (const b of row) if (a < b) pairs.add(`${a},${b}`);
      expect(pairs.size).toBe(45);
    }
  });
});

describe('downscale (properties)', () => {
  it('each output pixel is the rounded mean of its f × f block, so a constant image stays constant', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 7), fc.integer({ min: 0, max: 255 }), fc.integer(), (factor, value, seed) => {
        const rng = createRng(seed);
        const from = 28;
        const to = from / factor;
        const item = Uint8Array.from({ length: from * from }, () => rng.int(256));
        const out = downscale(item, from, to);
        for (let y = 0; y < to; y++) {
          for (let x = 0; x < to; x++) {
            let s = 0;
            for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) s += item[(y * factor + dy) * from + x * factor + dx];
            expect(Math.abs(out[y * to + x] - s / (factor * factor))).toBeLessThanOrEqual(0.5);
          }
        }
        expect(Array.from(new Set(downscale(new Uint8Array(from * from).fill(value), from, to)))).toEqual([value]);
      }),
      { numRuns: 30 },
    );
  });
});
