import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/train/gradients.js';
import { selectBackend } from '../../src/train/backend.js';
import { conv2dSame, conv2dSameRelu, conv2dSameReluPool, dense } from '../../src/train/layers.js';
import { floats, relativeError } from './helpers.js';

/** Output and gradients (x, w, b) of `layer` and of a plain-ops reference, under the same upstream weights. */
function compare(
  layer: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  reference: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  shapes: { x: number[]; w: number[]; b: number[] },
  seed: number,
) {
  const x = tf.tensor(floats(shapes.x.reduce((a, b) => a * b, 1), seed), shapes.x);
  const w = tf.tensor(floats(shapes.w.reduce((a, b) => a * b, 1), seed + 1), shapes.w);
  const b = tf.tensor(floats(shapes.b.reduce((a, c) => a * c, 1), seed + 2), shapes.b);
  const run = (f: typeof layer) => {
    const upstream = tf.tidy(() => tf.tensor(floats(f(x, w, b).size, seed + 3), f(x, w, b).shape));
    const grads = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(f(xs, ws, bs), upstream)))([x, w, b]);
    const out = [f(x, w, b), ...grads].map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose([upstream, ...grads]);
    return out;
  };
  const got = tf.tidy(() => run(layer));
  const want = tf.tidy(() => run(reference));
  tf.dispose([x, w, b]);
  return { got, want };
}

describe('layers', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: dense and conv layers equal the plain ops, forward and backward`, async () => {
      await selectBackend(backend);
      for (const activation of ['relu', 'linear'] as const) {
        const { got, want } = compare(
          (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, activation, true),
          (x, w, b) => {
            const z = tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
            return activation === 'relu' ? tf.relu(z) : z;
          },
          { x: [7, 13], w: [13, 10], b: [10] },
          1,
        );
        got.forEach((g, i) => expect(relativeError(g, want[i])).toBeLessThanOrEqual(1e-5));
      }
      const { got, want } = compare(
        (x, w, b) => conv2dSameRelu(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, true),
        (x, w, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b)),
        { x: [2, 6, 5, 9], w: [3, 3, 9, 4], b: [4] },
        2,
      );
      got.forEach((g, i) => expect(relativeError(g, want[i])).toBeLessThanOrEqual(1e-5));
      for (const [h, w] of [[6, 4], [7, 5]]) {
        const pooled = compare(
          (x, w, b) => conv2dSameReluPool(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, true),
          (x, w, b) => tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D, 2, 2, 'valid'),
          { x: [2, h, w, 3], w: [3, 3, 3, 8], b: [8] },
          h,
        );
        pooled.got.forEach((g, i) => expect(relativeError(g, pooled.want[i]), `pool ${h}×${w}, output ${i}`).toBeLessThanOrEqual(1e-5));
      }
    });

    it(`${backend}: strided and linear convolutions (the resnet's) equal the plain ops, forward and backward`, async () => {
      await selectBackend(backend);
      for (const [activation, stride, size, seed] of [['linear', 1, 3, 3], ['relu', 2, 3, 4], ['linear', 2, 1, 5], ['relu', 2, 3, 6]] as const) {
        const h = seed === 6 ? 7 : 8;
        const { got, want } = compare(
          (x, w, b) => conv2dSame(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, activation, stride, true),
          (x, w, b) => {
            const z = tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same'), b);
            return activation === 'relu' ? tf.relu(z) : z;
          },
          { x: [2, h, 5, 6], w: [size, size, 6, 4], b: [4] },
          seed,
        );
        got.forEach((g, i) => expect(relativeError(g, want[i]), `${activation} stride ${stride} ${size}×${size}, output ${i}`).toBeLessThanOrEqual(1e-5));
      }
    });
  }

  it('skip the input gradient of a first layer: x is no input of the op, the weights get theirs', async () => {
    await selectBackend('wasm');
    const x = tf.tensor2d(floats(12, 5), [3, 4]);
    const w = tf.tensor2d(floats(8, 6), [4, 2]);
    const b = tf.tensor1d([0.1, -0.2]);
    const loss = (first: boolean) => (xs: tf.Tensor, ws: tf.Tensor) => tf.sum(dense(xs as tf.Tensor2D, ws as tf.Tensor2D, b, 'relu', !first));
    expect(() => tf.grads(loss(true))([x, w])).toThrow(/gradient/);
    const [dw] = tf.grads((ws: tf.Tensor) => loss(true)(x, ws))([w]);
    const [, want] = tf.grads(loss(false))([x, w]);
    expect(Array.from(dw.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(Array.from(dw.dataSync()).some((v) => v !== 0)).toBe(true);
    let zerosLike = 0;
    const counting = tf.getKernel(tf.ZerosLike, 'wasm')!;
    tf.unregisterKernel(tf.ZerosLike, 'wasm');
    tf.registerKernel({ ...counting, kernelFunc: (args) => (zerosLike++, counting.kernelFunc(args)) });
    try {
      const filter = tf.tensor4d(floats(3 * 3 * 4 * 8, 7), [3, 3, 4, 8]);
      const images = tf.tensor4d(floats(2 * 6 * 6 * 4, 8), [2, 6, 6, 4]);
      const grads = tf.grads((fs: tf.Tensor) => tf.sum(conv2dSameReluPool(images, fs as tf.Tensor4D, tf.zeros([8]) as tf.Tensor1D, false)))([filter]);
      tf.dispose([filter, images, grads]);
    } finally {
      tf.unregisterKernel(tf.ZerosLike, 'wasm');
      tf.registerKernel(counting);
    }
    expect(zerosLike).toBe(0);
    tf.dispose([x, w, b, dw, want]);
  });

  it('weights given as variables are read in place by the backward pass (no Identity clone), with the same gradients', async () => {
    await selectBackend('wasm');
    const x = tf.tensor4d(floats(2 * 6 * 6 * 4, 9), [2, 6, 6, 4]);
    const f = floats(3 * 3 * 4 * 8, 10);
    const b = floats(8, 11);
    const plain = tf.tidy(() =>
      tf.grads((fs: tf.Tensor, bs: tf.Tensor) => tf.sum(conv2dSameReluPool(x, fs as tf.Tensor4D, bs as tf.Tensor1D, true)))([tf.tensor4d(f, [3, 3, 4, 8]), tf.tensor1d(b)]),
    );
    const fv = tf.variable(tf.tensor4d(f, [3, 3, 4, 8]));
    const bv = tf.variable(tf.tensor1d(b));
    const cloned: number[][] = [];
    const identity = tf.getKernel(tf.Identity, 'wasm')!;
    tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel({ ...identity, kernelFunc: (args) => (cloned.push([...(args.inputs.x as tf.TensorInfo).shape]), identity.kernelFunc(args)) });
    let viaVariables: tf.NamedTensorMap;
    try {
      viaVariables = tf.variableGrads(() => tf.sum(conv2dSameReluPool(x, fv as tf.Tensor4D, bv as tf.Tensor1D, true)) as tf.Scalar, [fv, bv]).grads;
    } finally {
      tf.unregisterKernel(tf.Identity, 'wasm');
      tf.registerKernel(identity);
    }
    expect(cloned).not.toContainEqual([3, 3, 4, 8]);
    expect(Array.from(viaVariables[fv.name].dataSync())).toEqual(Array.from(plain[0].dataSync()));
    expect(Array.from(viaVariables[bv.name].dataSync())).toEqual(Array.from(plain[1].dataSync()));
    tf.dispose([x, fv, bv, ...plain, ...Object.values(viaVariables)]);
  });

  it('call _FusedMatMul with rank-3 operands, as tf.fused.matMul does (some backends read shape[2])', async () => {
    await selectBackend('cpu');
    const original = tf.getKernel(tf._FusedMatMul, 'cpu')!;
    const ranks: number[][] = [];
    tf.unregisterKernel(tf._FusedMatMul, 'cpu');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        ranks.push(Object.values(args.inputs).map((t) => (t as tf.TensorInfo).shape.length));
        return original.kernelFunc(args);
      },
    });
    try {
      tf.tidy(() => dense(tf.ones([2, 3]), tf.ones([3, 4]), tf.ones([4]), 'relu', true));
    } finally {
      tf.unregisterKernel(tf._FusedMatMul, 'cpu');
      tf.registerKernel(original);
    }
    expect(ranks).toEqual([[3, 3, 1]]);
  });
});
