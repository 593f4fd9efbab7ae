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
import { partGradientsOf, StepState } from './step.js';
import { copySlotOut, offsetsOf, tensorFrom } from './tensor-copy.js';

const setup = workerData as ThreadSetup;
const port = parentPort!;
const reply = (m: ReplicaReply) => port.postMessage(m);

/** One training run on the replica: the run's layout and what it needs at every step. */
class Run {
  private readonly offsets: number[];
  private readonly trainable: tf.Variable[];
  private readonly stateVariables: tf.Variable[];
  private readonly state: StepState;

  constructor(
    private readonly model: Model,
    private readonly all: tf.Variable[],
    private readonly run: RunSetup,
  ) {
    if (all.length !== run.sizes.length || all.some((v, i) => v.size !== run.sizes[i])) {
      throw new Error('the training thread built a model whose variables differ from the trial’s');
    }
    this.offsets = offsetsOf(run.sizes);
    this.trainable = run.trainable.map((i) => all[i]);
    this.stateVariables = run.state.map((i) => all[i]);
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
    const { buffers, imageShape, labels } = this.run;
    const hasState = this.stateVariables.length > 0;
    if (request.sync) this.load(this.run.synced);
    if (hasState) this.state.begin();
    const batch = { ...buffers.batches[request.batch], imageShape, labels };
    request.parts.forEach(([part, start, end], n) => {
      if (n > 0 && hasState) this.state.restore();
      const { value, grads } = partGradientsOf(this.model, this.trainable, this.run.losses[request.loss], batch, start, end, request.entries, request.training);
      copySlotOut(grads, buffers.grads, part);
      tf.dispose(grads);
      buffers.values[part] = value;
      if (hasState) {
        const deltas = this.state.changes();
        copySlotOut(deltas, buffers.deltas, part);
        tf.dispose(deltas);
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
