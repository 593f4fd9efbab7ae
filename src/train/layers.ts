import * as tf from '@tensorflow/tfjs-core';

export type Activation = 'relu' | 'linear';

/**
 * A kernel a backend may provide for the backward pass through ReLU + bias in one go:
 * inputs {dy, y} (y the layer's output), outputs [dz = dy·[y > 0], db = Σ dz over all but the last axis].
 */
export const RELU_BIAS_GRAD_KERNEL = 'SkewbenchReluBiasGrad';

/**
 * A kernel a backend may provide for the backward pass through ReLU + bias followed by a 2×2
 * stride-2 'valid' max pool: inputs {dy (the pooled gradient), y (the ReLU output)}, outputs
 * [dz = route(dy)·[y > 0], db = Σ dz over all but the last axis], route sending each dy to the
 * first maximal y of its window as MaxPoolGrad does.
 */
export const MAX_POOL2_RELU_BIAS_GRAD_KERNEL = 'SkewbenchMaxPool2ReluBiasGrad';

/**
 * A kernel a backend may provide for the forward pass of conv2dSameReluPool in one launch: inputs
 * {x, filter, bias}, outputs [y = relu(conv2d(x, filter, 1, 'same') + bias), maxPool(y, 2, 2, 'valid')].
 */
export const CONV_RELU_POOL2_KERNEL = 'SkewbenchConvReluPool2';

/**
 * A kernel a backend may provide for the weight gradients of conv2dSameReluPool whose input takes
 * no gradient (a network's first layer): inputs {x, y (the ReLU output), dy (the pooled gradient)},
 * attrs {filterShape}, outputs [dW, db]: Conv2DBackpropFilter of MAX_POOL2_RELU_BIAS_GRAD_KERNEL's
 * dz, and its db, without dz having to exist as a whole.
 */
export const CONV_RELU_POOL2_FILTER_GRAD_KERNEL = 'SkewbenchConvReluPool2FilterGrad';

/** [dz, db] for a ReLU layer with output y, through the backend's fused kernel where it has one. */
function reluBiasGrad(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (tf.getKernel(RELU_BIAS_GRAD_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(RELU_BIAS_GRAD_KERNEL, { dy, y }, {}) as [tf.Tensor, tf.Tensor];
  }
  const dz = tf.mul(dy, tf.step(y));
  return [dz, tf.sum(dz, [...Array(y.rank - 1).keys()])];
}

/** [dz, db] for maxPool(y, 2, 2, 'valid') of a ReLU layer's output y, through the backend's fused kernel where it has one. */
function maxPool2ReluBiasGrad(dy: tf.Tensor4D, y: tf.Tensor4D): [tf.Tensor, tf.Tensor] {
  if (tf.getKernel(MAX_POOL2_RELU_BIAS_GRAD_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(MAX_POOL2_RELU_BIAS_GRAD_KERNEL, { dy, y }, {}) as [tf.Tensor, tf.Tensor];
  }
  const routed = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: y, output: tf.maxPool(y, 2, 2, 'valid') }, {
    filterSize: 2,
    strides: 2,
    pad: 'valid',
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return reluBiasGrad(routed, y);
}

// Layers as custom-gradient ops. tfjs's fused ops do the same forward pass (one kernel for
// product + bias + activation) but their gradient always computes the input gradient as well; for
// a network's first layer that is a whole extra matmul or convolution per step that nothing uses.
// With `inputGradient: false` the input is not an input of the op at all (only the weights are),
// so the tape asks for no gradient there and nothing is computed or allocated for it. The forward
// pass calls the fused kernels directly: tfjs's fused ops split themselves back into three kernels
// whenever a gradient is being recorded, which is always the case in training.

type Body = (
  x: tf.Tensor,
  params: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[], inputGradient: boolean) => [tf.Tensor | null, ...tf.Tensor[]] };

/**
 * `body` as a custom-gradient op of x and the parameters, or, without `inputGradient`, of the
 * parameters alone (x then a constant to the tape, and gradFunc told not to compute its gradient).
 */
function customOp<T extends tf.Tensor>(x: tf.Tensor, params: tf.Tensor[], inputGradient: boolean, body: Body): T {
  if (inputGradient) {
    const op = tf.customGrad((...args: unknown[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xs, ...ps] = args as tf.Tensor[];
      const { value, gradFunc } = body(xs, ps, save);
      return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradFunc(dy, saved, true) as tf.Tensor[] };
    });
    return op(x, ...params) as T;
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const { value, gradFunc } = body(x, args as tf.Tensor[], save);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradFunc(dy, saved, false).slice(1) as tf.Tensor[] };
  });
  return op(...params) as T;
}

/**
 * Saves `tensors` for the backward pass and returns how to get them back from `saved`. Variables
 * (the weights) are not cloned: they keep their values until the optimiser's step, after the
 * backward pass, so a clone would only be one more Identity launch per layer and step.
 */
function saveForBackward(save: tf.GradSaveFunc, tensors: tf.Tensor[]): (saved: tf.Tensor[]) => tf.Tensor[] {
  save(tensors.filter((t) => !(t instanceof tf.Variable)));
  return (saved) => {
    let next = 0;
    return tensors.map((t) => (t instanceof tf.Variable ? t : saved[next++]));
  };
}

/** act(x·w + b) for x [n, in], w [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation, inputGradient: boolean): tf.Tensor2D {
  return customOp<tf.Tensor2D>(x, [w, b], inputGradient, (xs, [ws, bs], save) => {
    // The kernel's contract (as tf.fused.matMul calls it) is rank-3 operands; reshapes are free.
    const [n, inputs] = (xs as tf.Tensor2D).shape;
    const outputs = (ws as tf.Tensor2D).shape[1];
    const y = tf.reshape(
      tf.engine().runKernel(tf._FusedMatMul, { a: tf.reshape(xs, [1, n, inputs]), b: tf.reshape(ws, [1, inputs, outputs]), bias: bs }, {
        transposeA: false,
        transposeB: false,
        activation,
        leakyreluAlpha: 0,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
      [n, outputs],
    );
    const restore = saveForBackward(save, [xs, ws, y]);
    return {
      value: y,
      gradFunc: (dy, saved, wantInput) => {
        const [sx, sw, sy] = restore(saved) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [dz, db] = activation === 'relu' ? reluBiasGrad(dy, sy) : [dy, tf.sum(dy, 0)];
        return [wantInput ? tf.matMul(dz as tf.Tensor2D, sw, false, true) : null, tf.matMul(sx, dz as tf.Tensor2D, true, false), db];
      },
    };
  });
}

/** relu(conv2d(x, filter, stride 1, 'same') + b) for x [n, h, w, in], filter [k, k, in, out]. */
export function conv2dSameRelu(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, inputGradient: boolean): tf.Tensor4D {
  return conv2dSame(x, filter, b, 'relu', 1, inputGradient);
}

/** act(conv2d(x, filter, stride, 'same') + b): the kernel FusedConv2D runs. */
function convolve(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, activation: Activation, strides: [number, number]): tf.Tensor4D {
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias: b }, {
    strides,
    pad: 'same',
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
    activation,
    leakyreluAlpha: 0,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** [dx (or null), dFilter, db] of a 'same' convolution of x with filter f, from dz (the gradient at its pre-activation) and db. */
function convGradients(dz: tf.Tensor4D, db: tf.Tensor, x: tf.Tensor4D, f: tf.Tensor4D, strides: [number, number], inputGradient: boolean): [tf.Tensor | null, tf.Tensor, tf.Tensor] {
  const dFilter = tf.engine().runKernel(
    tf.Conv2DBackpropFilter,
    { x, dy: dz },
    { strides, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: f.shape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
  return [inputGradient ? tf.conv2dTranspose(dz, f, x.shape, strides, 'same') : null, dFilter, db];
}

/** act(conv2d(x, filter, stride, 'same') + b) for x [n, h, w, in], filter [k, k, in, out]. */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, activation: Activation, stride: number, inputGradient: boolean): tf.Tensor4D {
  const strides: [number, number] = [stride, stride];
  return customOp<tf.Tensor4D>(x, [filter, b], inputGradient, (xs, [fs, bs], save) => {
    const y = convolve(xs as tf.Tensor4D, fs as tf.Tensor4D, bs as tf.Tensor1D, activation, strides);
    const restore = saveForBackward(save, [xs, fs, y]);
    return {
      value: y,
      gradFunc: (dy, saved, wantInput) => {
        const [sx, sf, sy] = restore(saved) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [dz, db] = activation === 'relu' ? reluBiasGrad(dy, sy) : [dy, tf.sum(dy, [0, 1, 2])];
        return convGradients(dz as tf.Tensor4D, db, sx, sf, strides, wantInput);
      },
    };
  });
}

/**
 * maxPool(relu(conv2d(x, filter, stride 1, 'same') + b), 2, 2, 'valid') for x [n, h, w, in],
 * filter [k, k, in, out]: a CNN's conv → ReLU → pool block as one op, whose backward pass routes
 * the pooled gradient through the pool, the ReLU and the bias in one kernel (see
 * MAX_POOL2_RELU_BIAS_GRAD_KERNEL) instead of a MaxPoolGrad pass and then a ReLU/bias pass.
 */
export function conv2dSameReluPool(x: tf.Tensor4D, filter: tf.Tensor4D, b: tf.Tensor1D, inputGradient: boolean): tf.Tensor4D {
  const strides: [number, number] = [1, 1];
  return customOp<tf.Tensor4D>(x, [filter, b], inputGradient, (xs, [fs, bs], save) => {
    let y: tf.Tensor4D;
    let value: tf.Tensor4D;
    if (tf.getKernel(CONV_RELU_POOL2_KERNEL, tf.getBackend())) {
      [y, value] = tf.engine().runKernel(CONV_RELU_POOL2_KERNEL, { x: xs, filter: fs, bias: bs }, {}) as [tf.Tensor4D, tf.Tensor4D];
    } else {
      y = convolve(xs as tf.Tensor4D, fs as tf.Tensor4D, bs as tf.Tensor1D, 'relu', strides);
      value = tf.maxPool(y, 2, 2, 'valid');
    }
    const restore = saveForBackward(save, [xs, fs, y]);
    return {
      value,
      gradFunc: (dy, saved, wantInput) => {
        const [sx, sf, sy] = restore(saved) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        if (!wantInput && tf.getKernel(CONV_RELU_POOL2_FILTER_GRAD_KERNEL, tf.getBackend())) {
          const [dFilter, db] = tf.engine().runKernel(CONV_RELU_POOL2_FILTER_GRAD_KERNEL, { x: sx, y: sy, dy }, { filterShape: sf.shape } as unknown as tf.NamedAttrMap) as tf.Tensor[];
          return [null, dFilter, db];
        }
        const [dz, db] = maxPool2ReluBiasGrad(dy as tf.Tensor4D, sy);
        return convGradients(dz as tf.Tensor4D, db, sx, sf, strides, wantInput);
      },
    };
  });
}
