import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelRecipe } from './create-model.js';
import type { LossSpec } from './losses.js';
import { copyOut, offsetsOf } from './tensor-copy.js';

/** What a training thread is started with: the backend and how to build its replica of the model. */
export interface ThreadSetup {
  backend: string;
  recipe: ModelRecipe;
}

/** One training run's layout, sent to each thread when the run begins. */
export interface RunSetup {
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

/** One batch's pixels and targets. */
export interface BatchSlot {
  pixels: Float32Array;
  targets: Float32Array;
}

/**
 * Memory the threads share: two batch slots (the trial's thread fills the next batch's while the
 * others still read this one's), the weights, and each micro-batch's results.
 */
export interface SharedBuffers {
  batches: [BatchSlot, BatchSlot];
  weights: Float32Array;
  grads: Float32Array;
  deltas: Float32Array;
  values: Float64Array;
}

export type ReplicaRequest =
  | { type: 'begin'; run: RunSetup }
  | {
      type: 'step';
      /** [micro-batch index, start, end) of the micro-batches this replica computes. */
      parts: Array<[number, number, number]>;
      loss: number;
      entries: number;
      training: boolean;
      /** Copy the synced variables from `weights` first (they changed since the last step). */
      sync: boolean;
      /** The batch slot holding this step's batch. */
      batch: number;
    };

export type ReplicaReply = { type: 'ready' } | { type: 'done' } | { type: 'error'; message: string };

function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, length) * 4) as unknown as ArrayBuffer);
}

/**
 * A training thread running the entry next to this file: replica.js when built; from source
 * (replica.ts), through tsx's loader, registered in the thread before the entry loads.
 */
function startThread(workerData: ThreadSetup): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL('./replica.js', import.meta.url), { workerData });
  const entry = new URL('./replica.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** A thread and the reply it is waiting for. */
class Thread {
  private waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  failure: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: ReplicaReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (m.type === 'error') waiting?.reject(new Error(m.message));
      else waiting?.resolve();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a training thread stopped (exit code ${code})`)));
  }

  /** Whether a request is still unanswered (the thread may be in the middle of a step). */
  get busy(): boolean {
    return this.waiting !== undefined;
  }

  /** Resolves on the thread's next reply ('ready' or 'done'), rejects on an error. */
  reply(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  send(request: ReplicaRequest): Promise<void> {
    const done = this.reply();
    this.worker.postMessage(request);
    return done;
  }
}

/**
 * Threads that outlive a training run, for the next one with the same backend and model recipe
 * (every trial of a suite, cRT's second stage): starting one (tfjs, its wasm and the model) costs
 * most of a second.
 */
let parked: { key: string; threads: Thread[] } | undefined;

async function threadsFor(setup: ThreadSetup, count: number): Promise<Thread[]> {
  const key = JSON.stringify(setup);
  const reuse = parked && parked.key === key ? parked.threads.filter((t) => !t.failure) : [];
  const spare = parked?.key === key ? [] : (parked?.threads ?? []);
  parked = undefined;
  await Promise.all(spare.map((t) => t.worker.terminate()));
  const threads = reuse.splice(0, count);
  await Promise.all(reuse.map((t) => t.worker.terminate()));
  for (const t of threads) t.worker.ref();
  const fresh = Array.from({ length: count - threads.length }, () => new Thread(startThread(setup)));
  try {
    await Promise.all(fresh.map((t) => t.reply()));
  } catch (err) {
    await Promise.all([...threads, ...fresh].map((t) => t.worker.terminate()));
    throw err;
  }
  return [...threads, ...fresh];
}

/**
 * Training threads, each with its own tfjs backend and a replica of the model, that compute the
 * gradients of the micro-batches given them; the trial's own thread sums everything in micro-batch
 * order and steps the optimiser once.
 */
export class Replicas {
  private readonly offsets: number[];

  private constructor(
    private readonly key: string,
    private readonly threads: Thread[],
    readonly run: RunSetup,
  ) {
    this.offsets = offsetsOf(run.sizes);
  }

  get buffers(): SharedBuffers {
    return this.run.buffers;
  }

  get count(): number {
    return this.threads.length;
  }

  /** `count` threads with replicas of the model whose variables are `all`, holding their values. */
  static async start(count: number, thread: ThreadSetup, run: Omit<RunSetup, 'buffers' | 'sizes'>, all: readonly tf.Variable[], batchSize: number, parts: number): Promise<Replicas> {
    const sizes = all.map((v) => v.size);
    const trainableSize = run.trainable.reduce((s, i) => s + sizes[i], 0);
    const stateSize = run.state.reduce((s, i) => s + sizes[i], 0);
    const [h, w, c] = run.imageShape;
    const buffers: SharedBuffers = {
      batches: [0, 1].map(() => ({ pixels: sharedFloats(batchSize * h * w * c), targets: sharedFloats(batchSize * run.labels) })) as [BatchSlot, BatchSlot],
      weights: sharedFloats(sizes.reduce((a, b) => a + b, 0)),
      grads: sharedFloats(parts * trainableSize),
      deltas: sharedFloats(parts * stateSize),
      values: new Float64Array(new SharedArrayBuffer(parts * 8) as unknown as ArrayBuffer),
    };
    const threads = await threadsFor(thread, count);
    const replicas = new Replicas(JSON.stringify(thread), threads, { ...run, sizes, buffers });
    replicas.write(all, all.map((_, i) => i));
    try {
      await Promise.all(threads.map((t) => t.send({ type: 'begin', run: replicas.run })));
    } catch (err) {
      await replicas.close(false);
      throw err;
    }
    return replicas;
  }

  /** Copies variables `indices` of `all` (default: those synced after every step) into the shared weights. */
  write(all: readonly tf.Variable[], indices: readonly number[] = this.run.synced): void {
    for (const i of indices) copyOut(all[i], this.run.buffers.weights, this.offsets[i]);
  }

  /** Hands replica k its micro-batches; resolves when their results are in the shared buffers. */
  step(k: number, request: Extract<ReplicaRequest, { type: 'step' }>): Promise<void> {
    return this.threads[k].send(request);
  }

  /** Ends the run: the threads wait for the next run with the same model (`keep`), else stop. */
  async close(keep = true): Promise<void> {
    // A thread still busy with a step (the run stopped on an error meanwhile) would answer the next
    // run's first request with this run's reply: it is stopped, not kept.
    const healthy = this.threads.every((t) => !t.failure && !t.busy);
    if (keep && healthy && !parked) {
      // A parked thread does not keep the process alive (one at work does: its reply is awaited).
      for (const t of this.threads) t.worker.unref();
      parked = { key: this.key, threads: this.threads };
      return;
    }
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
