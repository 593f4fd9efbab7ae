/*
 * A training thread (worker_threads): its own tfjs backend and a replica of the trial's model. For
 * each step it is given micro-batches of the batch in shared memory, computes their gradients with
 * the same code the trial's thread uses (step.ts) and writes them back; it never steps an optimiser.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { createModel } from './create-model.js';
import type { BackendPreference } from './names.js';
import type { ReplicaReply, ReplicaRequest, ReplicaSetup } from './replicas.js';
import { partGradients, StepState } from './step.js';

const setup = workerData as ReplicaSetup;
const port = parentPort!;
const reply = (m: ReplicaReply) => port.postMessage(m);

async function main(): Promise<void> {
  await selectBackend(setup.backend as BackendPreference);
  const model = await createModel(setup.recipe.spec, { ...setup.recipe.shape, seed: 0 }, setup.recipe.path);
  const all = [...model.variables, ...(model.state ?? [])];
  if (all.length !== setup.sizes.length || all.some((v, i) => v.size !== setup.sizes[i])) {
    throw new Error('the training thread built a model whose variables differ from the trial’s');
  }
  const offsets: number[] = [];
  let at = 0;
  for (const size of setup.sizes) {
    offsets.push(at);
    at += size;
  }
  const { buffers } = setup;
  const load = (indices: readonly number[]) => {
    for (const i of indices) {
      const v = all[i];
      tf.tidy(() => v.assign(tf.tensor(buffers.weights.slice(offsets[i], offsets[i] + v.size), v.shape, 'float32')));
    }
  };
  load(all.map((_, i) => i));
  const trainable = setup.trainable.map((i) => all[i]);
  const trainableSize = trainable.reduce((s, v) => s + v.size, 0);
  const stateVariables = setup.state.map((i) => all[i]);
  const stateSize = stateVariables.reduce((s, v) => s + v.size, 0);
  const state = new StepState(stateVariables);
  const [h, w, c] = setup.imageShape;
  const L = setup.labels;

  port.on('message', (request: ReplicaRequest) => {
    try {
      if (request.sync) load(setup.synced);
      if (stateVariables.length > 0) state.begin();
      request.parts.forEach(([part, start, end], n) => {
        if (n > 0 && stateVariables.length > 0) state.restore();
        const b = end - start;
        const x = tf.tensor4d(buffers.pixels.slice(start * h * w * c, end * h * w * c), [b, h, w, c]);
        const y = tf.tensor2d(buffers.targets.slice(start * L, end * L), [b, L]);
        try {
          const { value, grads } = partGradients(model, trainable, setup.losses[request.loss], x, y, request.entries, request.training);
          let offset = part * trainableSize;
          for (const g of grads) {
            buffers.grads.set(g.dataSync() as Float32Array, offset);
            offset += g.size;
          }
          tf.dispose(grads);
          buffers.values[part] = value;
          if (stateVariables.length > 0) {
            const deltas = state.changes();
            let d = part * stateSize;
            for (const t of deltas) {
              buffers.deltas.set(t.dataSync() as Float32Array, d);
              d += t.size;
            }
            tf.dispose(deltas);
          }
        } finally {
          tf.dispose([x, y]);
        }
      });
      if (stateVariables.length > 0) state.end(1);
      reply({ type: 'done' });
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
  reply({ type: 'ready' });
}

main().catch((err: unknown) => reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
