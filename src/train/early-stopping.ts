import * as tf from '@tensorflow/tfjs-core';

export interface EarlyStoppingOptions {
  /** `min`: lower is better (a loss); `max`: higher is better (an F1). */
  mode: 'min' | 'max';
  /** Epochs without an improvement of more than `minDelta` before training stops. */
  patience: number;
  minDelta: number;
  /** Keep a copy of the weights of the best epoch, to put back with `restoreBest`. */
  restoreBest: boolean;
}

/**
 * Watches one validation metric epoch by epoch (as Keras's EarlyStopping does): an epoch improves
 * when it beats the best so far by more than `minDelta`; after `patience` epochs in a row that do
 * not, `observe` says stop. A metric that is not a number (NaN) never improves. The copy of the best
 * weights is the watcher's to free: call `dispose()`.
 */
export class EarlyStopping {
  private best: number | undefined;
  private bestEpoch = 0;
  private waited = 0;
  private snapshot: tf.Tensor[] | undefined;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: EarlyStoppingOptions,
  ) {
    if (!Number.isInteger(options.patience) || options.patience < 1) throw new Error(`patience must be a positive integer, got ${options.patience}`);
  }

  /** The metric of `epoch` (1-based); `'stop'` when patience has run out. */
  observe(value: number, epoch: number): 'stop' | undefined {
    const { mode, minDelta } = this.options;
    const improved = !Number.isNaN(value) && (this.best === undefined || (mode === 'min' ? value < this.best - minDelta : value > this.best + minDelta));
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.waited = 0;
      if (this.options.restoreBest) {
        if (this.snapshot) tf.dispose(this.snapshot);
        this.snapshot = this.variables.map((v) => tf.clone(v));
      }
      return undefined;
    }
    this.waited++;
    return this.waited >= this.options.patience ? 'stop' : undefined;
  }

  /** The epoch with the best metric so far (0 before any). */
  get bestEpochSoFar(): number {
    return this.bestEpoch;
  }

  /** Puts the best epoch's weights back (when kept); returns that epoch, or undefined when nothing was restored. */
  restoreBest(): number | undefined {
    if (!this.snapshot) return undefined;
    this.variables.forEach((v, k) => v.assign(this.snapshot![k]));
    return this.bestEpoch;
  }

  dispose(): void {
    if (this.snapshot) tf.dispose(this.snapshot);
    this.snapshot = undefined;
  }
}
