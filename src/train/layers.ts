import * as tf from '@tensorflow/tfjs-core';

export type Activation = 'relu' | 'linear';

/**
 * A kernel a backend may provide for the backward pass through ReLU + bias in one go:
 * inputs {dy, y} (y the layer's output), outputs [dz = dy·[y > 0], db = Σ dz over all but the last axis].
 */
export const RELU_BIAS_GRAD_KERNEL = 'SkewbenchReluBiasGrad';

/** [dz, db] for a ReLU layer with output y, through the backend's fused kernel where it has one. */
function reluBiasGrad(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (tf.getKernel(RELU_BIAS_GRAD_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(RELU_BIAS_GRAD_KERNEL, { dy, y }, {}) as [tf.Tensor, tf.Tensor];
  }
  const dz = tf.mul(dy, tf.step(y));
  return [dz, tf.sum(dz, [...Array(y.rank - 1).keys()])];
}

// Layers as custom-gradient ops. tfjs's fused ops do the same forward pass (one kernel for
// product + bias + activation) but their gradient always computes the input gradient as well; for
// a network's first layer that is a whole extra matmul or convolution per step that nothing uses.
// `inputGradient: false` returns zeros there instead. The forward pass calls the fused kernels
// directly: tfjs's fused ops split themselves back into three kernels whenever a gradient is being
// recorded, which is always the case in training.

/** act(x·w + b) for x [n, in], w [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation, inputGradient: boolean): tf.Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, ws, bs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    // The kernel's contract (as tf.fused.matMul calls it) is rank-3 operands; reshapes are free.
    const [n, inputs] = xs.shape;
    const outputs = ws.shape[1];
    const y = tf.reshape(
      tf.engine().runKernel(tf._FusedMatMul, { a: tf.reshape(xs, [1, n, inputs]), b: tf.reshape(ws, [1, inputs, outputs]), bias: bs }, {
        transposeA: false,
        transposeB: false,
        activation,
        leakyreluAlpha: 0,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
      [n, outputs],
    ) as tf.Tensor2D;
    save([xs, ws, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [dz, db] = activation === 'relu' ? reluBiasGrad(dy, sy) : [dy, tf.sum(dy, 0)];
        return [
          inputGradient ? tf.matMul(dz as tf.Tensor2D, sw, false, true) : tf.zerosLike(sx),
          tf.matMul(sx, dz as tf.Tensor2D, true, false),
          db,
        ];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/** relu(conv2d(x, filter, stride 1, 'same') + b) for x [n, h, w, in], filter [k, k, in, out]. */
export function conv2dSameRelu(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, inputGradient: boolean): tf.Tensor4D {
  return conv2dSame(x, filter, b, 'relu', 1, inputGradient);
}

/** act(conv2d(x, filter, stride, 'same') + b) for x [n, h, w, in], filter [k, k, in, out]. */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, activation: Activation, stride: number, inputGradient: boolean): tf.Tensor4D {
  const strides: [number, number] = [stride, stride];
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, fs, bs, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.engine().runKernel(tf.FusedConv2D, { x: xs, filter: fs, bias: bs }, {
      strides,
      pad: 'same',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation,
      leakyreluAlpha: 0,
    } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    save([xs, fs, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sf, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [dz4, db] = activation === 'relu' ? reluBiasGrad(dy, sy) : [dy, tf.sum(dy, [0, 1, 2])];
        const dz = dz4 as tf.Tensor4D;
        const dFilter = tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x: sx, dy: dz },
          { strides, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: sf.shape } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D;
        return [
          inputGradient ? tf.conv2dTranspose(dz, sf, sx.shape, strides, 'same') : tf.zerosLike(sx),
          dFilter,
          db,
        ];
      },
    };
  });
  return op(x, filter, b) as tf.Tensor4D;
}
