/*
 * A child process of the calibration experiment: runs the trials it is sent, with the condition's
 * fault (if any) wired into the data source and the materialize hook, and sends back each record.
 */
import { encodeRecord } from '../experiment/journal.js';
import { datasetFor, runTrial, type DataSource } from '../experiment/trial.js';
import type { Trial } from '../experiment/grid.js';
import { selectBackend, type BackendPreference } from '../train/index.js';
import { dropRarePositives, garbledMaterialize, type FaultName } from './faults.js';

export type ToCalibrationWorker = { type: 'run'; trials: Trial[]; fault: FaultName | null; backend: BackendPreference } | { type: 'exit' };
export type FromCalibrationWorker = { type: 'ready' } | { type: 'record'; record: string } | { type: 'idle' } | { type: 'error'; message: string };

const send = (m: FromCalibrationWorker): void => {
  process.send!(m);
};

process.on('SIGINT', () => {});
process.on('message', (m: ToCalibrationWorker) => {
  if (m.type === 'exit') {
    process.disconnect();
    return;
  }
  void run(m).catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});

async function run(m: Extract<ToCalibrationWorker, { type: 'run' }>): Promise<void> {
  const backend = await selectBackend(m.backend);
  let cached: { key: string; data: ReturnType<DataSource> } | undefined;
  const data: DataSource = (trial) => {
    if (cached?.key !== trial.dataKey) {
      const built = datasetFor(trial);
      cached = { key: trial.dataKey, data: m.fault === 'drop-rare-positives' ? built.then(dropRarePositives) : built };
    }
    return cached.data;
  };
  const hooks = m.fault === 'garbled-augmentation' ? { materialize: garbledMaterialize } : {};
  for (const trial of m.trials) {
    const { record } = await runTrial(trial, backend, data, hooks);
    send({ type: 'record', record: encodeRecord(record) });
  }
  send({ type: 'idle' });
}

send({ type: 'ready' });
