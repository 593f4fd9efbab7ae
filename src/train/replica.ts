/*
 * A training thread (worker_threads): its own tfjs backend and a replica of the trial's model. For
 * each step it is given micro-batches of the batch in shared memory, computes their gradients with
 * the same code the trial's thread uses (step.ts) and writes them back; it never steps an optimiser.
 * It serves one training run after another with the same model (replicas.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { createModel } from './create-model.js';
import type { Model } from './models.js';
import type { BackendPreference } from './names.js';
import type { ReplicaReply, ReplicaRequest, RunSetup, ThreadSetup } from './replicas.js';
import { partGradients, StepState } from './step.js';
import { copyOut, tensorFrom } from './tensor-copy.js';

const setup = workerData as ThreadSetup;
const port = parentPort!;
const reply = (m: ReplicaReply) => port.postMessage(m);

/** One training run on the replica: the run's layout and what it needs at every step. */
class Run {
  private readonly offsets: number[] = [];
  private readonly trainable: tf.Variable[];
  private readonly stateVariables: tf.Variable[];
  private readonly trainableSize: number;
  private readonly stateSize: number;
  private readonly state: StepState;

  constructor(
    private readonly model: Model,
    private readonly all: tf.Variable[],
    private readonly run: RunSetup,
  ) {
    if (all.length !== run.sizes.length || all.some((v, i) => v.size !== run.sizes[i])) {
      throw new Error('the training thread built a model whose variables differ from the trial’s');
    }
    let at = 0;
    for (const size of run.sizes) {
      this.offsets.push(at);
      at += size;
    }
    this.trainable = run.trainable.map((i) => all[i]);
    this.trainableSize = this.trainable.reduce((s, v) => s + v.size, 0);
    this.stateVariables = run.state.map((i) => all[i]);
    this.stateSize = this.stateVariables.reduce((s, v) => s + v.size, 0);
    this.state = new StepState(this.stateVariables);
    this.load(all.map((_, i) => i));
  }

  private load(indices: readonly number[]): void {
    for (const i of indices) {
      const v = this.all[i];
      tf.tidy(() => v.assign(tensorFrom(this.run.buffers.weights, this.offsets[i], v.shape)));
    }
  }

  step(request: Extract<ReplicaRequest, { type: 'step' }>): void {
    const { buffers, imageShape, labels: L } = this.run;
    const [h, w, c] = imageShape;
    const hasState = this.stateVariables.length > 0;
    if (request.sync) this.load(this.run.synced);
    if (hasState) this.state.begin();
    request.parts.forEach(([part, start, end], n) => {
      if (n > 0 && hasState) this.state.restore();
      const b = end - start;
      const x = tensorFrom(buffers.pixels, start * h * w * c, [b, h, w, c]) as tf.Tensor4D;
      const y = tensorFrom(buffers.targets, start * L, [b, L]) as tf.Tensor2D;
      try {
        const { value, grads } = partGradients(this.model, this.trainable, this.run.losses[request.loss], x, y, request.entries, request.training);
        let offset = part * this.trainableSize;
        for (const g of grads) {
          copyOut(g, buffers.grads, offset);
          offset += g.size;
        }
        tf.dispose(grads);
        buffers.values[part] = value;
        if (hasState) {
          const deltas = this.state.changes();
          let d = part * this.stateSize;
          for (const t of deltas) {
            copyOut(t, buffers.deltas, d);
            d += t.size;
          }
          tf.dispose(deltas);
        }
      } finally {
        tf.dispose([x, y]);
      }
    });
    if (hasState) this.state.end(1);
  }
}

async function main(): Promise<void> {
  await selectBackend(setup.backend as BackendPreference);
  const model = await createModel(setup.recipe.spec, { ...setup.recipe.shape, seed: 0 }, setup.recipe.path);
  const all = [...model.variables, ...(model.state ?? [])];
  let run: Run | undefined;
  port.on('message', (request: ReplicaRequest) => {
    try {
      if (request.type === 'begin') run = new Run(model, all, request.run);
      else if (!run) throw new Error('a training step came before its run began');
      else run.step(request);
      reply({ type: 'done' });
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
  reply({ type: 'ready' });
}

main().catch((err: unknown) => reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
