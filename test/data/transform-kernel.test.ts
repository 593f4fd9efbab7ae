import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect, it } from 'vitest';
import { applyAugmentations } from '../../src/data/augment.js';
import { createRng } from '../../src/labels/rng.js';

// This file must call tfjs's own cpu Transform kernel before anything in the process repairs it.
it('the repaired cpu Transform matches tfjs’s own kernel image by image, for every image of a batch', async () => {
  await tf.setBackend('cpu');
  const rng = createRng(21);
  const cases: Array<{ images: Float32Array; transforms: number[][]; shape: [number, number, number, number] }> = [];
  for (const [h, w, c] of [[28, 28, 1], [9, 13, 3]] as const) {
    const n = 6;
    const images = Float32Array.from({ length: n * h * w * c }, () => rng.int(256));
    // Affine and projective maps, some pushing samples outside the image.
    const transforms = Array.from({ length: n }, (_, i) => [
      1 + (rng.float() - 0.5) * 0.6, (rng.float() - 0.5) * 0.8, (rng.float() - 0.5) * 6,
      (rng.float() - 0.5) * 0.8, 1 + (rng.float() - 0.5) * 0.6, (rng.float() - 0.5) * 6,
      i % 2 === 0 ? 0 : (rng.float() - 0.5) * 0.02, i % 2 === 0 ? 0 : (rng.float() - 0.5) * 0.02,
    ]);
    cases.push({ images, transforms, shape: [n, h, w, c] });
  }
  // One image per call: the original kernel is right for a batch of one.
  const reference = cases.map(({ images, transforms, shape: [, h, w, c] }) =>
    transforms.map((t, b) =>
      tf.tidy(() => Array.from(tf.image.transform(tf.tensor4d(images.subarray(b * h * w * c, (b + 1) * h * w * c), [1, h, w, c]), tf.tensor2d([t]), 'bilinear', 'constant', 0).dataSync())),
    ),
  );
  applyAugmentations({ images: new Uint8Array(4), height: 2, width: 2, channels: 1 }, [{ flip: true, angle: 0, scale: 1, brightness: 0 }]);
  cases.forEach(({ images, transforms, shape }, k) => {
    const [n, h, w, c] = shape;
    const batched = tf.tidy(() => Array.from(tf.image.transform(tf.tensor4d(images, shape), tf.tensor2d(transforms), 'bilinear', 'constant', 0).dataSync()));
    for (let b = 0; b < n; b++) {
      const got = batched.slice(b * h * w * c, (b + 1) * h * w * c);
      got.forEach((v, i) => expect(v).toBeCloseTo(reference[k][b][i], 3));
    }
  });
});
