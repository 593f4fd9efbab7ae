import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** PyTorch's default (tfjs uses 1e-7); kept equal to the yardstick's. */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba) with bias correction, updating each variable in one pass over plain
 * Float32Arrays. tfjs's own optimiser spends about a dozen kernel launches per variable per step;
 * this does one read of the gradient and one write of the new weights. The moments live in
 * JavaScript memory, so there is nothing to dispose but the variables themselves.
 */
export class Adam {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weights: Float32Array[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
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
    this.weights = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    this.m = variables.map((v) => new Float32Array(v.size));
    this.v = variables.map((v) => new Float32Array(v.size));
  }

  get steps(): number {
    return this.t;
  }

  /** Applies one step; `grads[i]` is the gradient of `variables[i]`. Does not dispose the gradients. */
  apply(grads: readonly tf.Tensor[]): void {
    this.t++;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = this.options.learningRate;
    const c1 = 1 / (1 - Math.pow(b1, this.t));
    const c2 = 1 / (1 - Math.pow(b2, this.t));
    for (let k = 0; k < this.variables.length; k++) {
      const g = grads[k].dataSync() as Float32Array;
      const w = this.weights[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + eps);
      }
      // A copy: the cpu backend keeps the array it is given, and `w` changes next step.
      const next = tf.tensor(w.slice(), this.variables[k].shape, 'float32');
      this.variables[k].assign(next);
      next.dispose();
    }
  }
}
