import * as tf from '@tensorflow/tfjs-core';
import { imageCount, imagesToFloats, type ImageBatch } from './image-set.js';
import type { Model } from './models.js';

/** Sigmoid scores, n × labels row-major, for `images` (an ImageSet works too), `batchSize` images at a time. */
export function predict(model: Model, images: ImageBatch, batchSize = 256): Float32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const n = imageCount(images);
  const { height, width, channels, labels } = model.shape;
  if (images.height !== height || images.width !== width || images.channels !== channels) {
    throw new Error(`images are ${images.height}×${images.width}×${images.channels} but the ${model.kind} model was built for ${height}×${width}×${channels}`);
  }
  const scores = new Float32Array(n * labels);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = tf.tidy(() => {
      const x = tf.tensor4d(imagesToFloats(images, null, start, end), [end - start, height, width, channels]);
      return tf.sigmoid(model.logits(x));
    });
    scores.set(batch.dataSync() as Float32Array, start * labels);
    batch.dispose();
  }
  return scores;
}
