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
import { lastDataCache, runTrial } from './trial.js';

export type ToWorker = { type: 'run'; trials: Trial[]; backend: BackendPreference; out: string; savePredictions: boolean } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'backend'; name: string; version: string; reason: string }
  | { type: 'start'; trial: string }
  | { type: 'epoch'; trial: string; info: { epoch: number; epochs: number; steps: number; loss: number; seconds: number } }
  | { type: 'record'; record: string }
  | { type: 'idle' }
  | { type: 'error'; message: string; input: boolean };

const send = (message: FromWorker): void => {
  process.send!(message);
};

// Ctrl-C reaches the whole process group; the parent decides (it stops and kills the workers).
process.on('SIGINT', () => {});

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
  const data = lastDataCache();
  for (const trial of message.trials) {
    send({ type: 'start', trial: trial.id });
    const { record, predictions } = await runTrial(trial, backend, data, { onEpoch: async (info) => {
        send({ type: 'epoch', trial: trial.id, info });
        // Let the IPC channel flush between epochs.
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    if (message.savePredictions && predictions) writePredictions(message.out, trial.id, predictions.truth, predictions.scores);
    send({ type: 'record', record: encodeRecord(record) });
  }
  send({ type: 'idle' });
}

send({ type: 'ready' });
