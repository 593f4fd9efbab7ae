/*
 * A child process that runs trials for the suite runner: it selects its own tfjs backend, builds
 * each data group once, writes prediction files itself (so scores never cross the pipe) and sends
 * back one record per trial. Started by pool.ts with child_process.fork.
 */
import { InputError } from '../errors.js';
import { writePredictions } from '../report/predictions.js';
import { selectBackend, type BackendPreference } from '../train/index.js';
import type { Trial } from './grid.js';
import { encodeRecord } from './journal.js';
import { checkModels, lastDataCache, runTrial, saveTrainedModel } from './trial.js';

export type ToWorker = { type: 'run'; trials: Trial[]; backend: BackendPreference; threads: number; out: string; savePredictions: boolean; saveModels: boolean } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'backend'; name: string; version: string; reason: string }
  | { type: 'warning'; message: string }
  | { type: 'start'; trial: string }
  | { type: 'epoch'; trial: string; info: { epoch: number; epochs: number; steps: number; loss: number; seconds: number } }
  | { type: 'record'; record: string }
  | { type: 'idle' }
  | { type: 'error'; message: string; input: boolean };

/*
 * Without a parent there is no one to send results to: a worker whose parent died (kill -9, a crash)
 * leaves at once and quietly, instead of training on and dying of an EPIPE stack trace.
 */
const orphaned = (): never => process.exit(0);
process.on('disconnect', orphaned);
// A write to a pipe whose reader is gone fails asynchronously, as an 'error' event on the process.
process.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE' || err.code === 'ERR_IPC_CHANNEL_CLOSED') orphaned();
  throw err;
});
// A parent killed mid-run may leave the inherited stdout / stderr pipes without a reader too.
for (const stream of [process.stdout, process.stderr]) stream.on('error', orphaned);

const send = (message: FromWorker): void => {
  if (!process.connected) orphaned();
  process.send!(message, undefined, undefined, (err) => {
    if (err) orphaned();
  });
};

// Ctrl-C and a closing terminal reach the whole process group, and a stop may be sent to it: the
// parent decides (it writes what finished and kills the workers; if it is gone, 'disconnect' fires).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

let reported = false;
process.on('message', (message: ToWorker) => {
  if (message.type === 'exit') {
    process.disconnect();
    return;
  }
  void runGroup(message).catch((err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err), input: err instanceof InputError });
  });
});

async function runGroup(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const backend = await selectBackend(message.backend);
  if (!reported) {
    send({ type: 'backend', ...backend });
    reported = true;
  }
  const data = lastDataCache((message) => send({ type: 'warning', message }));
  // Every model of the group (its methods' own included) is known to load and fit before one trains.
  await checkModels(message.trials, data);
  for (const trial of message.trials) {
    send({ type: 'start', trial: trial.id });
    const { record, predictions } = await runTrial(trial, backend, data, { onEpoch: async (info) => {
        send({ type: 'epoch', trial: trial.id, info });
        // Let the IPC channel flush between epochs.
        await new Promise((resolve) => setImmediate(resolve));
      },
      ...(message.saveModels ? { trained: (model) => saveTrainedModel(message.out, trial.id, model) } : {}),
      threads: message.threads,
    });
    if (message.savePredictions && predictions) writePredictions(message.out, trial.id, predictions.truth, predictions.scores);
    send({ type: 'record', record: encodeRecord(record) });
  }
  send({ type: 'idle' });
}

send({ type: 'ready' });
