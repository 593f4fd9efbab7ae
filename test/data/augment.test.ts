import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyAugmentations, augment, augmentParams, MAX_BRIGHTNESS, MAX_ROTATION_TURNS, MAX_ZOOM, type AugmentParams } from '../../src/data/augment.js';
import { createRng } from '../../src/labels/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NONE: AugmentParams = { flip: false, angle: 0, scale: 1, brightness: 0 };

function randomImages(n: number, h: number, w: number, c: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n * h * w * c }, () => rng.int(256));
}

describe('applyAugmentations', () => {
  it('leaves images unchanged under the identity', () => {
    const images = randomImages(3, 7, 9, 2, 1);
    expect(applyAugmentations({ images, height: 7, width: 9, channels: 2 }, [NONE, NONE, NONE])).toEqual(images);
  });

  it('flips left–right exactly, per image', () => {
    const [h, w, c] = [5, 6, 3];
    const images = randomImages(2, h, w, c, 2);
    const out = applyAugmentations({ images, height: h, width: w, channels: c }, [{ ...NONE, flip: true }, NONE]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      expect(out[(y * w + x) * c + k]).toBe(images[(y * w + (w - 1 - x)) * c + k]);
    }
    expect(out.subarray(h * w * c)).toEqual(images.subarray(h * w * c));
  });

  it('rotates a quarter turn about the centre exactly (pixel centres map onto pixel centres)', () => {
    const s = 7;
    const images = randomImages(1, s, s, 1, 3);
    const out = applyAugmentations({ images, height: s, width: s, channels: 1 }, [{ ...NONE, angle: Math.PI / 2 }]);
    // A quarter turn maps every output pixel onto a distinct input pixel: the output is a permutation
    // of the input that is itself a rotation, i.e. one of the two 90° rotations of the grid.
    const rotCw = (x: number, y: number) => images[(s - 1 - x) * s + y];
    const rotCcw = (x: number, y: number) => images[x * s + (s - 1 - y)];
    const matches = (f: (x: number, y: number) => number) => {
      for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) if (out[y * s + x] !== f(x, y)) return false;
      return true;
    };
    expect(matches(rotCw) || matches(rotCcw)).toBe(true);
  });

  it('zooms about the centre: a 2× zoom shows the central half, pixel for pixel at even offsets', () => {
    const s = 9;
    const images = randomImages(1, s, s, 1, 4);
    const out = applyAugmentations({ images, height: s, width: s, channels: 1 }, [{ ...NONE, scale: 2 }]);
    // output (x, y) samples input (4 + (x − 4)/2, 4 + (y − 4)/2): integral when x and y are even.
    for (let y = 0; y < s; y += 2) for (let x = 0; x < s; x += 2) expect(out[y * s + x]).toBe(images[(4 + (y - 4) / 2) * s + (4 + (x - 4) / 2)]);
  });

  it('zooming out fills the uncovered border with black', () => {
    const s = 10;
    const images = new Uint8Array(s * s).fill(200);
    const out = applyAugmentations({ images, height: s, width: s, channels: 1 }, [{ ...NONE, scale: 0.5 }]);
    expect(out[0]).toBe(0);
    expect(out[5 * s + 5]).toBe(200);
  });

  it('shifts brightness by a fraction of 255 and clips to 0–255', () => {
    const images = Uint8Array.from([0, 100, 250]);
    const batch = { height: 1, width: 1, channels: 1 };
    const out = applyAugmentations({ ...batch, images }, [
      { ...NONE, brightness: 0.1 },
      { ...NONE, brightness: -0.2 },
      { ...NONE, brightness: 0.2 },
    ]);
    expect(Array.from(out)).toEqual([Math.round(25.5), 49, 255]);
  });

  it('releases every tensor it creates', () => {
    const images = randomImages(4, 8, 8, 1, 5);
    const before = tf.memory().numTensors;
    applyAugmentations({ images, height: 8, width: 8, channels: 1 }, Array.from({ length: 4 }, () => ({ flip: true, angle: 0.3, scale: 1.1, brightness: 0.05 })));
    augment({ images, height: 8, width: 8, channels: 1 }, { sources: [0, 1, 2, 3], copies: [0, 0, 0, 0] }, ['brightness'], 1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the cpu Transform kernel, once augmentation has run', () => {
  it('warps every image of a batch, in the modes augmentation does not use too', () => {
    const s = 5;
    const images = randomImages(3, s, s, 1, 8);
    applyAugmentations({ images: images.subarray(0, s * s), height: s, width: s, channels: 1 }, [{ ...NONE, flip: true }]);
    const flip = [-1, 0, s - 1, 0, 1, 0, 0, 0];
    for (const [interpolation, fillMode] of [['nearest', 'constant'], ['bilinear', 'reflect'], ['bilinear', 'constant']] as const) {
      const out = tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(images), [3, s, s, 1]);
        return tf.image.transform(x, tf.tensor2d([flip, flip, flip]), interpolation, fillMode, 0).dataSync();
      });
      for (let b = 0; b < 3; b++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
        expect(out[b * s * s + y * s + x]).toBe(images[b * s * s + y * s + (s - 1 - x)]);
      }
    }
  });
});

describe('augmentParams', () => {
  it('stays within the documented ranges and is a pure function of (seed, source, copy)', () => {
    const all = ['flip', 'rotate', 'zoom', 'brightness'] as const;
    let flips = 0;
    for (let i = 0; i < 500; i++) {
      const p = augmentParams(9, i, i % 3, all);
      expect(Math.abs(p.angle)).toBeLessThanOrEqual(MAX_ROTATION_TURNS * 2 * Math.PI);
      expect(Math.abs(p.scale - 1)).toBeLessThanOrEqual(MAX_ZOOM);
      expect(Math.abs(p.brightness)).toBeLessThanOrEqual(MAX_BRIGHTNESS);
      expect(augmentParams(9, i, i % 3, all)).toEqual(p);
      if (p.flip) flips++;
    }
    expect(flips).toBeGreaterThan(200);
    expect(flips).toBeLessThan(300);
    expect(augmentParams(9, 1, 0, all)).not.toEqual(augmentParams(9, 1, 1, all));
    expect(augmentParams(9, 1, 0, all)).not.toEqual(augmentParams(10, 1, 0, all));
  });

  it('disables what is not listed without changing the draws of what is', () => {
    const all = augmentParams(3, 7, 2, ['flip', 'rotate', 'zoom', 'brightness']);
    const some = augmentParams(3, 7, 2, ['rotate', 'brightness']);
    expect(some).toEqual({ flip: false, angle: all.angle, scale: 1, brightness: all.brightness });
  });
});

describe('augment', () => {
  it('gives a copy the same pixels whatever batch it is computed in', () => {
    const images = randomImages(4, 12, 12, 1, 6);
    const batch = { height: 12, width: 12, channels: 1 };
    const names = ['flip', 'rotate', 'zoom', 'brightness'] as const;
    const together = augment({ ...batch, images }, { sources: [10, 11, 12, 13], copies: [0, 1, 0, 2] }, names, 42);
    const alone = augment({ ...batch, images: images.subarray(3 * 144) }, { sources: [13], copies: [2] }, names, 42);
    expect(together.subarray(3 * 144)).toEqual(alone);
    const otherSeed = augment({ ...batch, images }, { sources: [10, 11, 12, 13], copies: [0, 1, 0, 2] }, names, 43);
    expect(otherSeed).not.toEqual(together);
  });
});
