import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { wasmTrainingKernels } from '../../src/train/kernels/register.js';
import { Adam } from '../../src/train/adam.js';
import {
  CONV_RELU_POOL2_FILTER_GRAD_KERNEL,
  CONV_RELU_POOL2_KERNEL,
  conv2dSameReluPool,
  MAX_POOL2_RELU_BIAS_GRAD_KERNEL,
  RELU_BIAS_GRAD_KERNEL,
} from '../../src/train/layers.js';
import { floats, onBackend, relativeError } from './helpers.js';
import { runsWinograd } from '../../src/train/kernels/winograd.js';
import '../../src/train/gradients.js';

// Every kernel the project registers for wasm, checked against the cpu backend over random shapes,
// strides, paddings and dilations: max |wasm − cpu| ≤ 1e-4 · max |cpu|.
const TOLERANCE = 1e-4;
const RUNS = 25;

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

const padArb: fc.Arbitrary<Pad> = fc.oneof(
  fc.constant('same' as const),
  fc.constant('valid' as const),
  fc
    .tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2))
    .map(([t, b, l, r]) => [[0, 0], [t, b], [l, r], [0, 0]] as [[0, 0], [number, number], [number, number], [0, 0]]),
);

/** A conv2d geometry tfjs accepts: stride > 1 or dilation > 1, never both. */
const convArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    ci: fc.integer({ min: 1, max: 5 }),
    co: fc.integer({ min: 1, max: 10 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    dilation: fc.integer({ min: 1, max: 3 }),
    pad: padArb,
    seed: fc.integer(),
  })
  .map((c) => (c.stride > 1 ? { ...c, dilation: 1 } : c))
  .filter((c) => {
    const info = geometry(c);
    return info !== null && info.outHeight > 0 && info.outWidth > 0;
  });

type Conv = { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; stride: number; dilation: number; pad: Pad; seed: number };

function geometry(c: Conv): tf.backend_util.Conv2DInfo | null {
  try {
    return tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co], c.stride, c.dilation, c.pad);
  } catch {
    return null;
  }
}

/** The filter a dilated one is equivalent to: taps spread out by `d`, zeros between. */
function spreadFilter(values: Float32Array, kh: number, kw: number, ci: number, co: number, d: number): { values: Float32Array; shape: [number, number, number, number] } {
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  const out = new Float32Array(eh * ew * ci * co);
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) out.set(values.subarray((a * kw + b) * ci * co, (a * kw + b + 1) * ci * co), (a * d * ew + b * d) * ci * co);
  return { values: out, shape: [eh, ew, ci, co] };
}

/** A ReLU output: a third exactly 0, the rest on a coarse grid so that pooling windows hold equal positive maxima. */
function reluOutputWithTies(size: number, seed: number): Float32Array {
  return floats(size, seed, 0.33).map((v) => Math.round(Math.abs(v) * 3) / 3);
}

describe('wasm training kernels agree with the cpu backend', () => {
  it('registers the kernels it claims to', async () => {
    await selectBackend('wasm');
    const names = wasmTrainingKernels.map((k) => k.kernelName).sort();
    expect(names).toEqual(['BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'FusedConv2D', 'Identity', 'MaxPool', 'MaxPoolGrad', 'SkewbenchAdamStep', 'SkewbenchConvReluPool2', 'SkewbenchConvReluPool2FilterGrad', 'SkewbenchMaxPool2ReluBiasGrad', 'SkewbenchReluBiasGrad', 'Sum', '_FusedMatMul']);
    for (const k of wasmTrainingKernels) expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
  });

  it('BatchMatMul: any transposes, batch sizes and broadcast batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 21 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom([1, 1], [3, 3], [1, 2], [2, 1]),
        fc.integer(),
        async (M, K, N, ta, tb, [ba, bb], seed) => {
          const aShape: [number, number, number] = [ba, ta ? K : M, ta ? M : K];
          const bShape: [number, number, number] = [bb, tb ? N : K, tb ? K : N];
          const a = floats(ba * M * K, seed);
          const b = floats(bb * K * N, seed + 1);
          const run = () => tf.matMul(tf.tensor(a, aShape) as tf.Tensor3D, tf.tensor(b, bShape) as tf.Tensor3D, ta, tb);
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('_FusedMatMul: bias and relu/linear epilogue, any transposes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('relu' as const, 'linear' as const),
        fc.integer(),
        async (M, K, N, ta, tb, withBias, activation, seed) => {
          const a = floats(M * K, seed);
          const b = floats(K * N, seed + 1);
          const bias = floats(N, seed + 2);
          const run = () =>
            tf.fused.matMul({
              a: tf.tensor2d(a, ta ? [K, M] : [M, K]),
              b: tf.tensor2d(b, tb ? [N, K] : [K, N]),
              transposeA: ta,
              transposeB: tb,
              bias: withBias ? tf.tensor1d(bias) : undefined,
              activation,
            });
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('_FusedMatMul / BatchMatMul past one cache block: ragged M, N, K over several K blocks, transposes, bias and relu', async () => {
    await fc.assert(
      fc.asyncProperty(
        // the GEMM blocks M by 192 rows and K by 256, in 4×8 tiles
        fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 189, max: 200 })),
        fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 250, max: 530 })),
        fc.integer({ min: 1, max: 41 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('none' as const, 'bias' as const, 'bias+relu' as const, 'relu' as const),
        fc.integer(),
        async (M, K, N, ta, tb, epilogue, seed) => {
          const a = floats(M * K, seed);
          const b = floats(K * N, seed + 1);
          const bias = floats(N, seed + 2);
          const run = () => {
            const at = tf.tensor2d(a, ta ? [K, M] : [M, K]);
            const bt = tf.tensor2d(b, tb ? [N, K] : [K, N]);
            if (epilogue === 'none') return tf.matMul(at, bt, ta, tb);
            return tf.fused.matMul({
              a: at,
              b: bt,
              transposeA: ta,
              transposeB: tb,
              bias: epilogue === 'relu' ? undefined : tf.tensor1d(bias),
              activation: epilogue === 'bias' ? 'linear' : 'relu',
            });
          };
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('Conv2D / FusedConv2D: forward convolution with bias and relu/linear epilogue', async () => {
    await fc.assert(
      fc.asyncProperty(
        // wider inputs than the other geometries: the second layer of a CNN has many channels
        convArb.chain((c) => fc.record({ c: fc.constant(c), ci: fc.integer({ min: 1, max: 12 }), fused: fc.boolean(), relu: fc.boolean() })),
        async ({ c: base, ci, fused, relu }) => {
          const c = { ...base, ci };
          const info = geometry(c);
          fc.pre(info !== null && info.outHeight > 0 && info.outWidth > 0);
          const x = floats(c.n * c.h * c.w * c.ci, c.seed);
          const filter = floats(c.kh * c.kw * c.ci * c.co, c.seed + 1);
          const bias = floats(c.co, c.seed + 2);
          // two inputs of the same shape in a row: the second must not see the first's im2col columns
          const x2 = floats(x.length, c.seed + 3);
          const run = () => {
            const fs = tf.tensor4d(filter, [c.kh, c.kw, c.ci, c.co]);
            const one = (values: Float32Array) => {
              const xs = tf.tensor4d(values, [c.n, c.h, c.w, c.ci]);
              return fused
                ? tf.fused.conv2d({ x: xs, filter: fs, strides: c.stride, pad: c.pad, dilations: c.dilation, bias: tf.tensor1d(bias), activation: relu ? 'relu' : 'linear' })
                : tf.conv2d(xs, fs, c.stride, c.pad, 'NHWC', c.dilation);
            };
            return tf.concat([one(x), one(x2)]);
          };
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a convolution and its filter gradient on the same input (the im2col columns reused) match cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        convArb.chain((c) => fc.record({ c: fc.constant(c), ci: fc.integer({ min: 8, max: 12 }) })),
        async ({ c: base, ci }) => {
          const c = { ...base, ci };
          const info = geometry(c);
          fc.pre(info !== null && info.outHeight > 0 && info.outWidth > 0 && c.stride === 1);
          const x = floats(c.n * c.h * c.w * c.ci, c.seed);
          const filter = floats(c.kh * c.kw * c.ci * c.co, c.seed + 1);
          const weights = floats(info!.outShape.reduce((a, b) => a * b, 1), c.seed + 2);
          const run = () => {
            const xs = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
            const loss = (f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xs, f as tf.Tensor4D, 1, c.pad, 'NHWC', c.dilation), tf.tensor(weights, info!.outShape)));
            // the gradient runs the forward convolution first, then Conv2DBackpropFilter on the same x
            return tf.grad(loss)(tf.tensor4d(filter, [c.kh, c.kw, c.ci, c.co]));
          };
          fc.pre(c.dilation === 1);
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('direct convolution (1–4 input channels, output channels a multiple of 4): forward with bias/relu, and filter gradient', async () => {
    await fc.assert(
      fc.asyncProperty(
        convArb.chain((c) =>
          fc.record({
            c: fc.constant(c),
            ci: fc.integer({ min: 1, max: 4 }),
            co: fc.constantFrom(4, 8, 12, 16, 20, 32, 36),
            w: fc.integer({ min: 1, max: 13 }),
            relu: fc.boolean(),
          }),
        ),
        async ({ c: base, ci, co, w, relu }) => {
          const c = { ...base, ci, co, w };
          const info = geometry(c);
          fc.pre(info !== null && info.outHeight > 0 && info.outWidth > 0);
          const x = floats(c.n * c.h * c.w * c.ci, c.seed);
          const filter = floats(c.kh * c.kw * c.ci * c.co, c.seed + 1);
          const bias = floats(c.co, c.seed + 2);
          const dy = floats(info!.outShape.reduce((a, b) => a * b, 1), c.seed + 3);
          const run = () => {
            const xs = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
            const fs = tf.tensor4d(filter, [c.kh, c.kw, c.ci, c.co]);
            const y = tf.fused.conv2d({ x: xs, filter: fs, strides: c.stride, pad: c.pad, dilations: c.dilation, bias: tf.tensor1d(bias), activation: relu ? 'relu' : 'linear' });
            const parts = [tf.reshape(y, [-1])];
            if (c.dilation === 1) {
              const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xs, dy: tf.tensor(dy, info!.outShape) }, {
                strides: c.stride,
                pad: c.pad,
                dataFormat: 'NHWC',
                dimRoundingMode: undefined,
                filterShape: fs.shape,
              } as unknown as tf.NamedAttrMap) as tf.Tensor;
              parts.push(tf.reshape(dW, [-1]));
            }
            return tf.concat(parts);
          };
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: 2 * RUNS },
    );
  });

  it('Winograd F(2×2, 3×3) (3×3, stride 1, channel quads): forward with bias/relu, input gradient and filter gradient, over chunks of images and odd sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          // a chunk is 1 MB of transformed tiles: at 13×13 or 14×14 with 16 → 32 channels (or more) 6 images,
          // so 7 or 8 images are two chunks
          n: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 7, max: 8 })),
          h: fc.integer({ min: 1, max: 14 }),
          w: fc.integer({ min: 1, max: 14 }),
          ci: fc.constantFrom(8, 12, 16, 32),
          co: fc.constantFrom(4, 8, 16, 32),
          pad: padArb,
          relu: fc.boolean(),
          seed: fc.integer(),
        }),
        async (r) => {
          const c = { ...r, kh: 3, kw: 3, stride: 1, dilation: 1 };
          const info = geometry(c);
          fc.pre(info !== null && info.outHeight > 0 && info.outWidth > 0 && runsWinograd(info));
          const x = floats(c.n * c.h * c.w * c.ci, c.seed);
          const filter = floats(9 * c.ci * c.co, c.seed + 1);
          const bias = floats(c.co, c.seed + 2);
          const dy = floats(info!.outShape.reduce((a, b) => a * b, 1), c.seed + 3);
          const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
          const run = () => {
            const xs = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
            const fs = tf.tensor4d(filter, [3, 3, c.ci, c.co]);
            const dys = tf.tensor(dy, info!.outShape);
            const y = tf.fused.conv2d({ x: xs, filter: fs, strides: 1, pad: c.pad, bias: tf.tensor1d(bias), activation: c.relu ? 'relu' : 'linear' });
            const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dys, filter: fs }, { ...attrs, inputShape: xs.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
            const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xs, dy: dys }, { ...attrs, filterShape: fs.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
            return tf.concat([y, dx, dW].map((t) => tf.reshape(t, [-1])));
          };
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          // each part against its own scale
          let from = 0;
          for (const [name, size] of [['forward', dy.length], ['input gradient', x.length], ['filter gradient', filter.length]] as const) {
            expect(relativeError(got.subarray(from, from + size), want.subarray(from, from + size)), name).toBeLessThanOrEqual(TOLERANCE);
            from += size;
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a 3×3 stride-1 convolution with an empty output (valid padding on a 2×2 input, or no images) gives what cpu gives, forward and both gradients', async () => {
    for (const [n, h] of [[1, 2], [0, 6]]) {
      const c = { n, h, w: h, ci: 8, co: 8 };
      const info = tf.backend_util.computeConv2DInfo([n, h, h, 8], [3, 3, 8, 8], 1, 1, 'valid');
      const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined };
      const run = () => {
        const xs = tf.tensor4d(floats(n * h * h * 8, 1), [c.n, c.h, c.w, c.ci]);
        const fs = tf.tensor4d(floats(9 * 64, 2), [3, 3, 8, 8]);
        const dys = tf.zeros(info.outShape);
        const y = tf.fused.conv2d({ x: xs, filter: fs, strides: 1, pad: 'valid', bias: tf.zeros([8]) as tf.Tensor1D, activation: 'relu' });
        const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dys, filter: fs }, { ...attrs, inputShape: xs.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xs, dy: dys }, { ...attrs, filterShape: fs.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return tf.concat([y, dx, dW].map((t) => tf.reshape(t, [-1])));
      };
      expect(Array.from(await onBackend('wasm', run))).toEqual(Array.from(await onBackend('cpu', run)));
    }
  });

  it('Identity: shares the data, and the copy outlives the original', async () => {
    await selectBackend('wasm');
    const a = tf.tensor([1, 2, 3, 4]);
    const b = tf.engine().runKernel(tf.Identity, { x: a }, {}) as tf.Tensor;
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
  });

  it('Conv2DBackpropFilter: shapes, strides, paddings and dilations', async () => {
    await fc.assert(
      fc.asyncProperty(convArb, async (c) => {
        const info = geometry(c)!;
        const x = floats(c.n * c.h * c.w * c.ci, c.seed);
        const dy = floats(c.n * info.outHeight * info.outWidth * c.co, c.seed + 1);
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        const got = await onBackend('wasm', () =>
          tf.engine().runKernel(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), dy: tf.tensor4d(dy, info.outShape) },
            { ...attrs, filterShape: [c.kh, c.kw, c.ci, c.co], dilations: c.dilation } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
        );
        // The cpu kernel has no dilations: differentiate with respect to the spread-out filter
        // instead and read the gradient at the taps that exist.
        const spread = spreadFilter(new Float32Array(c.kh * c.kw * c.ci * c.co), c.kh, c.kw, c.ci, c.co, c.dilation);
        const full = await onBackend('cpu', () =>
          tf.engine().runKernel(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), dy: tf.tensor4d(dy, info.outShape) },
            { ...attrs, filterShape: spread.shape } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
        );
        const ew = spread.shape[1];
        const want = new Float32Array(c.kh * c.kw * c.ci * c.co);
        const tap = c.ci * c.co;
        for (let a = 0; a < c.kh; a++) {
          for (let b = 0; b < c.kw; b++) want.set(full.subarray((a * c.dilation * ew + b * c.dilation) * tap, (a * c.dilation * ew + b * c.dilation + 1) * tap), (a * c.kw + b) * tap);
        }
        expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
      }),
      { numRuns: RUNS },
    );
  });

  it('Conv2DBackpropInput: shapes, strides, paddings and (with stride 1) dilations; stride 1 with whole SIMD lanes of input channels runs as a forward convolution', async () => {
    await fc.assert(
      fc.asyncProperty(convArb.chain((c) => fc.record({ c: fc.constant(c), ci: fc.constantFrom(c.ci, 4, 8, 16) })), async ({ c: base, ci }) => {
        const c = { ...base, ci };
        const info = geometry(c)!;
        const filter = floats(c.kh * c.kw * c.ci * c.co, c.seed);
        const dy = floats(c.n * info.outHeight * info.outWidth * c.co, c.seed + 1);
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [c.n, c.h, c.w, c.ci] };
        const got = await onBackend('wasm', () =>
          tf.engine().runKernel(
            tf.Conv2DBackpropInput,
            { dy: tf.tensor4d(dy, info.outShape), filter: tf.tensor4d(filter, [c.kh, c.kw, c.ci, c.co]) },
            { ...attrs, dilations: c.dilation } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
        );
        const spread = spreadFilter(filter, c.kh, c.kw, c.ci, c.co, c.dilation);
        const want = await onBackend('cpu', () =>
          tf.engine().runKernel(
            tf.Conv2DBackpropInput,
            { dy: tf.tensor4d(dy, info.outShape), filter: tf.tensor4d(spread.values, spread.shape) },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
        );
        expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it('MaxPoolGrad: windows, strides, paddings, and ties resolved to the first maximum', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.integer({ min: 1, max: 6 }),
          size: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }),
          pad: fc.constantFrom('same' as const, 'valid' as const),
          seed: fc.integer(),
        }),
        async (p) => {
          fc.pre(p.pad === 'same' || (p.size <= p.h && p.size <= p.w));
          // Half the inputs exactly 0, as after a ReLU: windows full of ties.
          const x = floats(p.n * p.h * p.w * p.c, p.seed, 0.5);
          const run = () => {
            const input = tf.tensor4d(x, [p.n, p.h, p.w, p.c]);
            const output = tf.maxPool(input, p.size, p.stride, p.pad);
            const dy = tf.tensor4d(floats(output.size, p.seed + 1), output.shape);
            return tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output }, {
              filterSize: p.size,
              strides: p.stride,
              pad: p.pad,
              dimRoundingMode: undefined,
            } as unknown as tf.NamedAttrMap) as tf.Tensor;
          };
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('MaxPool: 2×2 stride 2 valid (own kernel, odd sizes drop a row/column) and other windows (builtin)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 2, max: 9 }),
          w: fc.integer({ min: 2, max: 9 }),
          c: fc.integer({ min: 1, max: 12 }),
          size: fc.constantFrom(2, 2, 3),
          stride: fc.constantFrom(2, 2, 1),
          pad: fc.constantFrom('valid' as const, 'valid' as const, 'same' as const),
          seed: fc.integer(),
        }),
        async (p) => {
          fc.pre(p.pad === 'same' || (p.size <= p.h && p.size <= p.w));
          const x = floats(p.n * p.h * p.w * p.c, p.seed, 0.3);
          const run = () => tf.maxPool(tf.tensor4d(x, [p.n, p.h, p.w, p.c]), p.size, p.stride, p.pad);
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('SkewbenchMaxPool2ReluBiasGrad: MaxPoolGrad then dy·[y > 0] and its column sums, ties and odd sizes included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 2, max: 9 }),
          w: fc.integer({ min: 2, max: 9 }),
          c: fc.integer({ min: 1, max: 12 }),
          seed: fc.integer(),
        }),
        async (p) => {
          const shape = [p.n, p.h, p.w, p.c];
          const y = reluOutputWithTies(p.n * p.h * p.w * p.c, p.seed);
          const pooled = [p.n, Math.floor(p.h / 2), Math.floor(p.w / 2), p.c];
          const dy = floats(pooled.reduce((a, b) => a * b, 1), p.seed + 1);
          const want = await onBackend('cpu', () => {
            const ys = tf.tensor4d(y, shape as [number, number, number, number]);
            const routed = tf.engine().runKernel(tf.MaxPoolGrad, { dy: tf.tensor(dy, pooled), input: ys, output: tf.maxPool(ys, 2, 2, 'valid') }, {
              filterSize: 2,
              strides: 2,
              pad: 'valid',
              dimRoundingMode: undefined,
            } as unknown as tf.NamedAttrMap) as tf.Tensor;
            const dz = tf.mul(routed, tf.step(ys));
            return tf.concat([tf.reshape(dz, [-1]), tf.sum(dz, [0, 1, 2])]);
          });
          const got = await onBackend('wasm', () => {
            const [dz, db] = tf.engine().runKernel(MAX_POOL2_RELU_BIAS_GRAD_KERNEL, { dy: tf.tensor(dy, pooled), y: tf.tensor(y, shape) }, {}) as tf.Tensor[];
            expect(dz.shape).toEqual(shape);
            expect(db.shape).toEqual([p.c]);
            return tf.concat([tf.reshape(dz, [-1]), db]);
          });
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('conv2dSameReluPool: output and gradients on wasm equal cpu tfjs ops for conv → relu → 2×2 max pool', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 2, max: 9 }),
          w: fc.integer({ min: 2, max: 9 }),
          // 8 and 16 input channels with a 3×3 filter run as Winograd, whose output transform pools
          ci: fc.constantFrom(1, 2, 3, 4, 5, 6, 8, 16),
          co: fc.constantFrom(1, 3, 4, 5, 8, 12, 16, 20, 32),
          k: fc.constantFrom(1, 3, 3),
          inputGradient: fc.boolean(),
          seed: fc.integer(),
        }),
        async (p) => {
          const xv = floats(p.n * p.h * p.w * p.ci, p.seed);
          const fv = floats(p.k * p.k * p.ci * p.co, p.seed + 1);
          const bv = floats(p.co, p.seed + 2);
          const pooled = [p.n, Math.floor(p.h / 2), Math.floor(p.w / 2), p.co];
          const up = floats(pooled.reduce((a, b) => a * b, 1), p.seed + 3);
          const run = (fused: boolean) => () => {
            const x = tf.tensor4d(xv, [p.n, p.h, p.w, p.ci]);
            const f = tf.tensor4d(fv, [p.k, p.k, p.ci, p.co]);
            const b = tf.tensor1d(bv);
            const upstream = tf.tensor(up, pooled);
            const block = (xs: tf.Tensor, fs: tf.Tensor, bs: tf.Tensor) =>
              fused
                ? conv2dSameReluPool(xs as tf.Tensor4D, fs as tf.Tensor4D, bs as tf.Tensor1D, p.inputGradient)
                : tf.maxPool(tf.relu(tf.add(tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'same'), bs)) as tf.Tensor4D, 2, 2, 'valid');
            const loss = (xs: tf.Tensor, fs: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(block(xs, fs, bs), upstream));
            // without the input gradient the fused op has no x input: only the weights' gradients exist
            const grads =
              fused && !p.inputGradient
                ? [tf.zerosLike(x), ...tf.grads((fs: tf.Tensor, bs: tf.Tensor) => loss(x, fs, bs))([f, b])]
                : tf.grads(loss)([x, f, b]);
            if (!p.inputGradient) grads[0] = tf.zerosLike(x);
            const parts = [block(x, f, b), ...grads];
            return tf.concat(parts.map((t) => tf.reshape(t, [-1])));
          };
          const want = await onBackend('cpu', run(false));
          const got = await onBackend('wasm', run(true));
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
          // the fused forward kernel's pool is the MaxPool kernel's of its own y, to the bit
          const [pooledByKernel, pooledAfter] = await Promise.all([0, 1].map(async (which) => {
            await selectBackend('wasm');
            return tf.tidy(() => {
              const x = tf.tensor4d(xv, [p.n, p.h, p.w, p.ci]);
              const [y, pool] = tf.engine().runKernel(CONV_RELU_POOL2_KERNEL, { x, filter: tf.tensor4d(fv, [p.k, p.k, p.ci, p.co]), bias: tf.tensor1d(bv) }, {}) as tf.Tensor4D[];
              return Array.from((which === 0 ? pool : tf.maxPool(y, 2, 2, 'valid')).dataSync());
            });
          }));
          expect(pooledByKernel).toEqual(pooledAfter);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('SkewbenchConvReluPool2FilterGrad: dW and db to the bit as MaxPool2ReluBiasGrad then Conv2DBackpropFilter', async () => {
    await selectBackend('wasm');
    await fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 2, max: 11 }),
          w: fc.integer({ min: 2, max: 11 }),
          // 1–4 input channels run as the direct kernel, which routes dy row by row; 8 takes the two kernels
          ci: fc.constantFrom(1, 2, 3, 4, 8),
          co: fc.constantFrom(4, 8, 16, 20, 32),
          k: fc.constantFrom(1, 3, 5),
          seed: fc.integer(),
        }),
        (p) => {
          const shape: [number, number, number, number] = [p.n, p.h, p.w, p.co];
          const filterShape: [number, number, number, number] = [p.k, p.k, p.ci, p.co];
          const xv = floats(p.n * p.h * p.w * p.ci, p.seed);
          const yv = reluOutputWithTies(p.n * p.h * p.w * p.co, p.seed + 1);
          const pooled = [p.n, Math.floor(p.h / 2), Math.floor(p.w / 2), p.co];
          const dyv = floats(pooled.reduce((a, b) => a * b, 1), p.seed + 2);
          const [fusedBits, apartBits] = [true, false].map((fused) =>
            tf.tidy(() => {
              const x = tf.tensor4d(xv, [p.n, p.h, p.w, p.ci]);
              const y = tf.tensor4d(yv, shape);
              const dy = tf.tensor(dyv, pooled);
              let dW: tf.Tensor;
              let db: tf.Tensor;
              if (fused) {
                [dW, db] = tf.engine().runKernel(CONV_RELU_POOL2_FILTER_GRAD_KERNEL, { x, y, dy }, { filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor[];
              } else {
                const [dz, bias] = tf.engine().runKernel(MAX_POOL2_RELU_BIAS_GRAD_KERNEL, { dy, y }, {}) as tf.Tensor[];
                dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dz }, {
                  strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape,
                } as unknown as tf.NamedAttrMap) as tf.Tensor;
                db = bias;
              }
              expect(dW.shape).toEqual(filterShape);
              return [...new Uint32Array(tf.concat([tf.reshape(dW, [-1]), db]).dataSync().buffer)];
            }),
          );
          expect(fusedBits).toEqual(apartBits);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('SkewbenchConvReluPool2FilterGrad refuses a pooled gradient of the wrong shape instead of reading past it', async () => {
    await selectBackend('wasm');
    tf.tidy(() => {
      const run = (dyShape: number[]) => () =>
        tf.engine().runKernel(CONV_RELU_POOL2_FILTER_GRAD_KERNEL, { x: tf.zeros([2, 6, 6, 1]), y: tf.zeros([2, 6, 6, 4]), dy: tf.zeros(dyShape) }, {
          filterShape: [3, 3, 1, 4],
        } as unknown as tf.NamedAttrMap);
      expect(run([2, 3, 3, 4])).not.toThrow();
      expect(run([2, 6, 6, 4])).toThrow(/dy \[2,6,6,4\], expected \[2,6,6,4\] and \[2,3,3,4\]/);
    });
  });

  it('Sum: over the leading axes (bias gradients) and any other axes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        async (shape, leading, keepDims, seed) => {
          const rank = shape.length;
          const axes = leading ? [...Array(Math.max(rank - 1, 1)).keys()] : [rank - 1];
          const x = floats(shape.reduce((a, b) => a * b, 1), seed);
          const run = () => tf.sum(tf.tensor(x, shape), axes, keepDims);
          const want = await onBackend('cpu', run);
          const got = await onBackend('wasm', run);
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('SkewbenchReluBiasGrad: dy·[y > 0] and its column sums, as Step, Multiply and Sum compute them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }), fc.integer(), async (shape, seed) => {
        const size = shape.reduce((a, b) => a * b, 1);
        // y as a ReLU output: a third exactly 0, the rest positive
        const y = floats(size, seed, 0.33).map(Math.abs);
        const dy = floats(size, seed + 1);
        const axes = [...Array(shape.length - 1).keys()];
        const want = await onBackend('cpu', () => {
          const dz = tf.mul(tf.tensor(dy, shape), tf.step(tf.tensor(y, shape)));
          return tf.concat([tf.reshape(dz, [-1]), tf.sum(dz, axes)]);
        });
        const got = await onBackend('wasm', () => {
          const [dz, db] = tf.engine().runKernel(RELU_BIAS_GRAD_KERNEL, { dy: tf.tensor(dy, shape), y: tf.tensor(y, shape) }, {}) as tf.Tensor[];
          expect(dz.shape).toEqual(shape);
          expect(db.shape).toEqual([shape[shape.length - 1]]);
          return tf.concat([tf.reshape(dz, [-1]), db]);
        });
        expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
      }),
      { numRuns: RUNS },
    );
  });

  it('SkewbenchAdamStep: the fused wasm step equals the same update as cpu tfjs ops, step after step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
        fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        async (shape, learningRate, steps, seed) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const train = async (backend: 'cpu' | 'wasm') => {
            await selectBackend(backend);
            const w = tf.variable(tf.tensor(floats(size, seed), shape));
            const adam = new Adam([w], { learningRate });
            for (let t = 0; t < steps; t++) {
              const g = tf.tensor(floats(size, seed + 1 + t), shape);
              adam.apply([g]);
              g.dispose();
            }
            adam.dispose();
            const out = Float32Array.from(w.dataSync() as Float32Array);
            w.dispose();
            return out;
          };
          const want = await train('cpu');
          const got = await train('wasm');
          expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the project GEMM: a row of the product does not depend on the rows around it', () => {
  // So a prediction is the same whether an image is scored alone or in a batch of any size, and a
  // micro-batch's forward pass is the same in whatever batch it sits.
  it('each row of A·B (and of act(A·B + b)) equals that row computed alone, to the bit', async () => {
    await selectBackend('wasm');
    fc.assert(
      fc.property(
        fc.record({ m: fc.integer({ min: 1, max: 13 }), k: fc.integer({ min: 1, max: 300 }), n: fc.integer({ min: 1, max: 40 }), seed: fc.integer(), relu: fc.boolean() }),
        ({ m, k, n, seed, relu }) => {
          const a = tf.tensor2d(floats(m * k, seed), [m, k]);
          const b = tf.tensor2d(floats(k * n, seed + 1), [k, n]);
          const bias = tf.tensor1d(floats(n, seed + 2));
          const product = (x: tf.Tensor2D) => tf.fused.matMul({ a: x, b, bias, activation: relu ? 'relu' : 'linear' });
          const whole = product(a);
          const together = whole.dataSync();
          for (let r = 0; r < m; r++) {
            const row = tf.slice(a, [r, 0], [1, k]);
            const alone = product(row);
            expect(Array.from(alone.dataSync())).toEqual(Array.from(together.subarray(r * n, (r + 1) * n)));
            tf.dispose([row, alone]);
          }
          tf.dispose([a, b, bias, whole]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
