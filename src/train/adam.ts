import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** PyTorch's default (tfjs uses 1e-7); kept equal to the yardstick's. */
  epsilon?: number;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter 2019), as PyTorch's AdamW applies it: before
   * each Adam step every variable is multiplied by 1 − lr·weightDecay (lr the step's learning rate).
   * 0 (the default) is plain Adam.
   */
  weightDecay?: number;
}

/** A kernel a backend may provide to do a whole Adam step of one variable at once. */
export const ADAM_STEP_KERNEL = 'SkewbenchAdamStep';

export interface AdamStepAttrs {
  /** lr / (1 − β1ᵗ). */
  correctedLearningRate: number;
  /** 1 / (1 − β2ᵗ). */
  varianceCorrection: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  [key: string]: number;
}

/**
 * Adam (Kingma & Ba) with bias correction:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  w ← w − lr/(1−β1ᵗ) · m / (√(v/(1−β2ᵗ)) + ε).
 * Where the backend registers ADAM_STEP_KERNEL (the project's wasm kernels do) each variable is
 * one kernel launch; elsewhere the same formula runs as tfjs ops. The moments are tensors owned
 * by the optimiser: call `dispose()` when done.
 */
export class Adam {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly m: tf.Tensor[];
  private readonly v: tf.Tensor[];
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: AdamOptions,
  ) {
    if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) {
      throw new Error(`learning rate must be a positive number, got ${options.learningRate}`);
    }
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.weightDecay >= 0) || !Number.isFinite(this.weightDecay)) throw new Error(`weight decay must be a number ≥ 0, got ${options.weightDecay}`);
    this.m = variables.map((v) => tf.zerosLike(v));
    this.v = variables.map((v) => tf.zerosLike(v));
  }

  /**
   * Applies one step; `grads[i]` is the gradient of `variables[i]`. Does not dispose the gradients.
   * `learningRate` (default the constructor's) is this step's, e.g. from a schedule.
   */
  apply(grads: readonly tf.Tensor[], learningRate = this.options.learningRate): void {
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`learning rate must be a positive number, got ${learningRate}`);
    this.t++;
    if (this.weightDecay > 0) {
      const keep = 1 - learningRate * this.weightDecay;
      for (const w of this.variables) tf.tidy(() => w.assign(tf.mul(w, keep)));
    }
    const attrs: AdamStepAttrs = {
      correctedLearningRate: learningRate / (1 - Math.pow(this.beta1, this.t)),
      varianceCorrection: 1 / (1 - Math.pow(this.beta2, this.t)),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
    const fused = tf.getKernel(ADAM_STEP_KERNEL, tf.getBackend()) !== undefined;
    for (let k = 0; k < this.variables.length; k++) {
      const w = this.variables[k];
      const [w2, m2, v2] = fused
        ? (tf.engine().runKernel(ADAM_STEP_KERNEL, { w, g: grads[k], m: this.m[k], v: this.v[k] }, attrs) as tf.Tensor[])
        : adamOps(w, grads[k], this.m[k], this.v[k], attrs);
      w.assign(w2);
      w2.dispose();
      this.m[k].dispose();
      this.v[k].dispose();
      this.m[k] = m2;
      this.v[k] = v2;
    }
  }

  dispose(): void {
    tf.dispose(this.m);
    tf.dispose(this.v);
    this.m.length = 0;
    this.v.length = 0;
  }
}

function adamOps(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamStepAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const step = tf.div(tf.mul(m2, a.correctedLearningRate), tf.add(tf.sqrt(tf.mul(v2, a.varianceCorrection)), a.epsilon));
    return [tf.sub(w, step), m2, v2];
  });
}
