import { describe, expect, it } from 'vitest';
import { pairedSamples, referenceConvCases, runGemmBench } from '../../src/bench/gemm.js';

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
      'conv2 6x6x3 Winograd forward',
      'conv2 6x6x3 Winograd input gradient',
      'conv2 6x6x3 Winograd filter gradient',
    ]);
    for (const row of result.rows) {
      expect(Object.keys(row)).toEqual(['name', 'kind', 'count', 'M', 'K', 'N', 'transposeA', 'transposeB', 'biasRelu', 'seconds', 'wallSeconds', 'gflops', 'shareOfPeak', 'peakGflops']);
      expect(row.seconds).toBeGreaterThanOrEqual(0);
      expect(row.wallSeconds).toBeGreaterThan(0);
      expect(row.gflops).toBeGreaterThanOrEqual(0);
      expect(row.shareOfPeak).toBeGreaterThanOrEqual(0);
      expect(row.peakGflops).toBeGreaterThan(0);
    }
  });

  it('times each repetition of a case right after a sample of the probe, so each share pairs the two over one stretch of time', () => {
    const calls: string[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const samples = pairedSamples(() => (calls.push('run'), busy(0.2)), () => (calls.push('probe'), busy(0.1)), 4, 0.001);
    expect(samples).toHaveLength(4);
    // after two untimed calls of each (to size the samples), the samples alternate: the probe's, then the run's
    const timed = calls.slice(4);
    const blocks = timed.filter((c, i) => i === 0 || timed[i - 1] !== c);
    expect(blocks).toEqual(['probe', 'run', 'probe', 'run', 'probe', 'run', 'probe', 'run']);
    for (const s of samples) {
      expect(s.probe).toBeGreaterThan(0);
      expect(s.run.wall).toBeGreaterThan(s.probe / 4);
    }
  });

  it("derives the Winograd position products of the reference CNN's second layer from the input size, per chunk of images", () => {
    // 14×14 outputs are 49 tiles an image; 16 → 32 channels take 16·48·4 bytes a tile, so a 1 MB chunk holds 6 images (294 tiles)
    const cases = referenceConvCases({ size: 28, channels: 1 }, 32);
    expect(cases.map(({ name, count, M, K, N, transposeA, transposeB, biasRelu }) => [name, count, M, K, N, transposeA, transposeB, biasRelu])).toEqual([
      ['conv2 28x28x1 Winograd forward', 16, 294, 16, 32, false, false, false],
      ['conv2 28x28x1 Winograd input gradient', 16, 294, 32, 16, false, false, false],
      ['conv2 28x28x1 Winograd filter gradient', 16, 16, 294, 32, true, false, false],
    ]);
    // a micro-batch smaller than a chunk is one chunk
    expect(referenceConvCases({ size: 28, channels: 1 }, 2)[0].M).toBe(98);
  });
});
