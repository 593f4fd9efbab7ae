import * as tf from '@tensorflow/tfjs-core';
import { imageCount, imagesToFloatsInto, type ImageBatch } from './image-set.js';
import type { Model } from './models.js';

/**
 * Sigmoid scores, n × labels row-major, for `images` (an ImageSet works too), `batchSize` images at
 * a time (the reference models train at 64 by default). Every forward pass has the same shape —
 * min(batchSize, n) images, the last batch padded with blank images whose scores are dropped — and
 * reads one input buffer filled in place, so predicting any number of images needs the memory of one
 * batch: the backend's scratch and heap (the wasm heap never shrinks) do not grow with the set or
 * with the size of its last batch. Predict at the training batch size and it needs no more than a
 * training step did. Inference mode makes an image's scores independent of its batch.
 */
export function predict(model: Model, images: ImageBatch, batchSize = 64): Float32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const n = imageCount(images);
  const { height, width, channels, labels } = model.shape;
  if (images.height !== height || images.width !== width || images.channels !== channels) {
    throw new Error(`images are ${images.height}×${images.width}×${images.channels} but the ${model.kind} model was built for ${height}×${width}×${channels}`);
  }
  const scores = new Float32Array(n * labels);
  const rows = Math.min(batchSize, n);
  const size = height * width * channels;
  const input = new Float32Array(rows * size);
  for (let start = 0; start < n; start += rows) {
    const end = Math.min(n, start + rows);
    imagesToFloatsInto(input, images, null, start, end);
    // the last, short batch: blank rows after its images (left over from the previous batch otherwise)
    if (end - start < rows) input.fill(0, (end - start) * size);
    const batch = tf.tidy(() => tf.sigmoid(model.logits(tf.tensor4d(input, [rows, height, width, channels]))));
    try {
      scores.set((batch.dataSync() as Float32Array).subarray(0, (end - start) * labels), start * labels);
    } finally {
      batch.dispose();
    }
  }
  return scores;
}
