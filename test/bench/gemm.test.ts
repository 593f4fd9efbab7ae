import { describe, expect, it } from 'vitest';
import { referenceConvCases, runGemmBench } from '../../src/bench/gemm.js';

describe('runGemmBench', () => {
  it('reports the peak, the machine and one row per case, from a real run on tiny sizes', async () => {
    const result = await runGemmBench({ sizes: [16, 20], convInputs: [{ size: 6, channels: 3 }], batch: 2, repetitions: 1, sampleSeconds: 0.001 });
    expect(Object.keys(result)).toEqual(['machine', 'multiplyAdd', 'clock', 'peakGflops', 'repetitions', 'rows']);
    expect(result.machine).toMatchObject({ node: process.version });
    expect(typeof result.machine.cpuModel).toBe('string');
    expect(typeof result.machine.cpuAffinity).toBe('string');
    expect(['f32x4.relaxed_madd', 'f32x4.mul + f32x4.add']).toContain(result.multiplyAdd);
    expect(result.peakGflops).toBeGreaterThan(0);
    expect(result.repetitions).toBe(1);
    expect(result.rows.map((r) => r.name)).toEqual([
      '16x16x16',
      '20x20x20',
      'conv1 6x6x3 forward',
      'conv1 6x6x3 filter gradient',
      'conv2 6x6x3 forward',
      'conv2 6x6x3 filter gradient',
      'conv2 6x6x3 input gradient',
    ]);
    for (const row of result.rows) {
      expect(Object.keys(row)).toEqual(['name', 'kind', 'M', 'K', 'N', 'transposeA', 'transposeB', 'biasRelu', 'seconds', 'wallSeconds', 'gflops', 'shareOfPeak']);
      expect(row.seconds).toBeGreaterThanOrEqual(0);
      expect(row.wallSeconds).toBeGreaterThan(0);
      expect(row.gflops).toBeGreaterThanOrEqual(0);
      expect(row.shareOfPeak).toBeGreaterThanOrEqual(0);
    }
  });

  it('derives the convolution GEMMs of the reference CNN from the input size', () => {
    const cases = referenceConvCases({ size: 28, channels: 1 }, 64);
    expect(cases.map(({ name, M, K, N, transposeA, transposeB, biasRelu }) => [name, M, K, N, transposeA, transposeB, biasRelu])).toEqual([
      ['conv1 28x28x1 forward', 64 * 28 * 28, 9, 16, false, false, true],
      ['conv1 28x28x1 filter gradient', 9, 64 * 28 * 28, 16, true, false, false],
      ['conv2 28x28x1 forward', 64 * 14 * 14, 144, 32, false, false, true],
      ['conv2 28x28x1 filter gradient', 144, 64 * 14 * 14, 32, true, false, false],
      ['conv2 28x28x1 input gradient', 64 * 14 * 14, 32, 144, false, true, false],
    ]);
  });
});
