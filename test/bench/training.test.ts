import { describe, expect, it } from 'vitest';
import { benchTraining } from '../../src/bench/training.js';

describe('benchTraining', () => {
  it('returns one row per model with the fields of torch_throughput.py, from a real run', async () => {
    const { rows, backendReason } = await benchTraining({ backend: 'wasm', images: 96, epochs: 1, batchSize: 32, size: 12, labels: 3 });
    expect(backendReason).toMatch(/^backend wasm/);
    expect(rows.map((r) => r.model)).toEqual(['mlp', 'cnn']);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['engine', 'threads', 'model', 'inputSize', 'channels', 'microBatches', 'labels', 'batchSize', 'images', 'seconds', 'imagesPerSecond']);
      expect(row).toMatchObject({ engine: 'tfjs-wasm-4.22.0', threads: 1, inputSize: 12, labels: 3, batchSize: 32, images: 96 });
      expect(row.seconds).toBeGreaterThan(0);
      // both are rounded from the same timing (seconds to 0.1 ms)
      expect(Math.abs((row.imagesPerSecond * row.seconds) / 96 - 1)).toBeLessThan(0.01);
    }
  });

  it('trains an RGB input of another size on two threads, and reports the threads that worked', async () => {
    const { rows } = await benchTraining({ backend: 'wasm', models: ['cnn'], images: 64, epochs: 1, batchSize: 32, size: 16, channels: 3, labels: 3, threads: 2 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: 'cnn', inputSize: 16, channels: 3, threads: 2, microBatches: 2, images: 64 });
  }, 60_000);
});
