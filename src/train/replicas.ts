import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelRecipe } from './create-model.js';
import type { LossSpec } from './losses.js';

/** What a training thread needs to build its replica of the model and share a step's work. */
export interface ReplicaSetup {
  backend: string;
  recipe: ModelRecipe;
  /** Sizes of the model's variables, `variables` then `state`, in order. */
  sizes: number[];
  /** Indices (into those) of the variables that train, and of the state whose changes come back. */
  trainable: number[];
  state: number[];
  /** Indices of the variables copied to the replicas after every step. */
  synced: number[];
  losses: LossSpec[];
  imageShape: [number, number, number];
  labels: number;
  buffers: SharedBuffers;
}

/** Memory the threads share: the batch, the weights, and each micro-batch's results. */
export interface SharedBuffers {
  pixels: Float32Array;
  targets: Float32Array;
  weights: Float32Array;
  grads: Float32Array;
  deltas: Float32Array;
  values: Float64Array;
}

export type ReplicaRequest = {
  type: 'step';
  /** [micro-batch index, start, end) of the micro-batches this replica computes. */
  parts: Array<[number, number, number]>;
  loss: number;
  entries: number;
  training: boolean;
  /** Copy the synced variables from `weights` first (they changed since the last step). */
  sync: boolean;
};

export type ReplicaReply = { type: 'ready' } | { type: 'done' } | { type: 'error'; message: string };

function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, length) * 4) as unknown as ArrayBuffer);
}

/**
 * A training thread running the entry next to this file: replica.js when built; from source
 * (replica.ts), through tsx's loader, registered in the thread before the entry loads.
 */
function startThread(workerData: unknown): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL('./replica.js', import.meta.url), { workerData });
  const entry = new URL('./replica.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Training threads, each with its own tfjs backend and a replica of the model, that compute the
 * gradients of the micro-batches given them; the trial's own thread sums everything in micro-batch
 * order and steps the optimiser once.
 */
export class Replicas {
  private readonly workers: Worker[] = [];
  private pending: Array<{ resolve: () => void; reject: (e: Error) => void } | undefined> = [];
  private failure: Error | undefined;
  readonly offsets: number[];

  private constructor(readonly setup: Omit<ReplicaSetup, 'buffers'> & { buffers: SharedBuffers }) {
    this.offsets = [];
    let at = 0;
    for (const size of setup.sizes) {
      this.offsets.push(at);
      at += size;
    }
  }

  get buffers(): SharedBuffers {
    return this.setup.buffers;
  }

  /** Starts `count` threads with replicas of the model whose variables are `all` (values copied). */
  static async start(count: number, setup: Omit<ReplicaSetup, 'buffers' | 'sizes'>, all: readonly tf.Variable[], batchSize: number, parts: number): Promise<Replicas> {
    const sizes = all.map((v) => v.size);
    const trainableSize = setup.trainable.reduce((s, i) => s + sizes[i], 0);
    const stateSize = setup.state.reduce((s, i) => s + sizes[i], 0);
    const [h, w, c] = setup.imageShape;
    const buffers: SharedBuffers = {
      pixels: sharedFloats(batchSize * h * w * c),
      targets: sharedFloats(batchSize * setup.labels),
      weights: sharedFloats(sizes.reduce((a, b) => a + b, 0)),
      grads: sharedFloats(parts * trainableSize),
      deltas: sharedFloats(parts * stateSize),
      values: new Float64Array(new SharedArrayBuffer(parts * 8) as unknown as ArrayBuffer),
    };
    const replicas = new Replicas({ ...setup, sizes, buffers });
    replicas.write(all, all.map((_, i) => i));
    try {
      await Promise.all(
        Array.from({ length: count }, (_, k) => {
          const worker = startThread({ ...setup, sizes, buffers });
          replicas.workers.push(worker);
          return replicas.listen(worker, k);
        }),
      );
    } catch (err) {
      await replicas.close();
      throw err;
    }
    return replicas;
  }

  private listen(worker: Worker, k: number): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.pending[k] = { resolve, reject };
    });
    worker.on('message', (m: ReplicaReply) => {
      const waiting = this.pending[k];
      this.pending[k] = undefined;
      if (m.type === 'error') waiting?.reject(new Error(m.message));
      else waiting?.resolve();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const waiting = this.pending[k];
      this.pending[k] = undefined;
      waiting?.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a training thread stopped (exit code ${code})`)));
    return ready;
  }

  /** Copies variables `indices` of `all` into the shared weights. */
  write(all: readonly tf.Variable[], indices: readonly number[]): void {
    for (const i of indices) this.setup.buffers.weights.set(all[i].dataSync() as Float32Array, this.offsets[i]);
  }

  /** Hands replica k its micro-batches; resolves when their results are in the shared buffers. */
  run(k: number, request: ReplicaRequest): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => {
      this.pending[k] = { resolve, reject };
    });
    this.workers[k].postMessage(request);
    return done;
  }

  get count(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
