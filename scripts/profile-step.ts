/*
 * Per-kernel profile of training steps on the wasm backend: every kernel registered for wasm is
 * wrapped with a timer and a launch counter (wasm kernels run synchronously, so the time around
 * the kernel function is the kernel's time), then whole steps (forward, tf.variableGrads, the
 * project's Adam) run as train.ts runs them.
 *
 *   taskset -c 1 npx tsx scripts/profile-step.ts [model=cnn] [size=28] [channels=1] [steps=30] [batch=64]
 *
 * Prints, per kernel and input shapes, the median milliseconds per step (ranked), then launches per
 * step and the median step time (with and without the wrappers' overhead being separable: the
 * wall time includes it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../src/train/adam.js';
import { selectBackend } from '../src/train/backend.js';
import { computeLoss } from '../src/train/losses.js';
import { buildModel, type ModelKind } from '../src/train/models.js';

const [kind = 'cnn', sizeArg = '28', channelsArg = '1', stepsArg = '30', batchArg = '64'] = process.argv.slice(2);
const size = Number(sizeArg);
const channels = Number(channelsArg);
const steps = Number(stepsArg);
const batch = Number(batchArg);
const labels = 10;
const warmup = 5;

await selectBackend('wasm');

type Sample = { ms: number; launches: number };
let current = new Map<string, Sample>();
let recording = false;
for (const config of tf.getKernelsForBackend('wasm')) {
  const inner = config.kernelFunc;
  const wrapped: tf.KernelFunc = (args) => {
    if (!recording) return inner(args);
    const shapes = Object.entries(args.inputs)
      .filter(([, t]) => t != null)
      .map(([k, t]) => `${k}[${(t as tf.TensorInfo).shape.join('x')}]`)
      .join(' ');
    const key = `${config.kernelName} ${shapes}`;
    const started = performance.now();
    const out = inner(args);
    const ms = performance.now() - started;
    const s = current.get(key) ?? { ms: 0, launches: 0 };
    s.ms += ms;
    s.launches++;
    current.set(key, s);
    return out;
  };
  (config as { kernelFunc: tf.KernelFunc }).kernelFunc = wrapped;
}

const model = buildModel(kind as ModelKind, { height: size, width: size, channels, labels, seed: 1 });
const trainable = model.variables as tf.Variable[];
const optimizer = new Adam(trainable, { learningRate: 1e-3 });
const pixels = new Float32Array(batch * size * size * channels).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const targets = new Float32Array(batch * labels).map((_, i) => (i % 3 === 0 ? 1 : 0));

const perStep: Map<string, Sample>[] = [];
const wall: number[] = [];
for (let s = 0; s < warmup + steps; s++) {
  current = new Map();
  recording = s >= warmup;
  const started = performance.now();
  const x = tf.tensor4d(pixels, [batch, size, size, channels]);
  const y = tf.tensor2d(targets, [batch, labels]);
  const { value, grads } = tf.variableGrads(() => computeLoss({ kind: 'bce' }, model.logits(x, true), y), trainable);
  value.dataSync();
  optimizer.apply(trainable.map((v) => grads[v.name]));
  tf.dispose([value, grads, x, y]);
  const ms = performance.now() - started;
  if (recording) {
    perStep.push(current);
    wall.push(ms);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const keys = [...new Set(perStep.flatMap((m) => [...m.keys()]))];
const rows = keys
  .map((key) => ({
    key,
    ms: median(perStep.map((m) => m.get(key)?.ms ?? 0)),
    launches: median(perStep.map((m) => m.get(key)?.launches ?? 0)),
  }))
  .sort((a, b) => b.ms - a.ms);
const kernelTotal = median(perStep.map((m) => [...m.values()].reduce((a, v) => a + v.ms, 0)));
const launches = median(perStep.map((m) => [...m.values()].reduce((a, v) => a + v.launches, 0)));
console.log(`# ${kind} ${size}x${size}x${channels} batch ${batch}: median of ${steps} steps (after ${warmup} warm-up)`);
console.log('ms/step  share  launches  kernel inputs');
for (const r of rows) {
  console.log(`${r.ms.toFixed(3).padStart(7)}  ${((100 * r.ms) / kernelTotal).toFixed(1).padStart(5)}%  ${String(r.launches).padStart(8)}  ${r.key}`);
}
console.log(`kernels ${kernelTotal.toFixed(2)} ms/step, step wall ${median(wall).toFixed(2)} ms, ${launches} launches/step`);
optimizer.dispose();
model.dispose();
