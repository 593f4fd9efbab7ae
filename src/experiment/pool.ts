import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import type { TrialRecord } from '../records/records.js';
import type { BackendChoice, BackendPreference, EpochInfo } from '../train/index.js';
import type { Trial } from './grid.js';
import { decodeRecord } from './journal.js';
import type { FromWorker, ToWorker } from './worker.js';

export interface PoolOptions {
  workers: number;
  /** Threads training each trial in a worker. */
  threads: number;
  backend: BackendPreference;
  out: string;
  savePredictions: boolean;
  saveModels: boolean;
  signal?: AbortSignal;
  onBackend: (backend: BackendChoice) => void;
  onWarning: (message: string) => void;
  onStart: (trial: Trial) => void;
  onEpoch: (trial: Trial, info: EpochInfo) => void;
  onRecord: (trial: Trial, record: TrialRecord) => void;
}

/** The worker entry next to this file: worker.js when built, worker.ts when run from source (tsx). */
function workerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/pool\.(ts|js)$/, (_m, ext: string) => `worker.${ext}`);
}

/**
 * Runs groups of trials (each group shares its data) on `workers` child processes, each with its own
 * tfjs backend; a worker takes the next group when it finishes one. Resolves when every group has
 * run; rejects on a worker crash or a user error (InputError), or when `signal` aborts — after
 * killing the workers.
 */
export function runGroupsInWorkers(groups: Trial[][], options: PoolOptions): Promise<void> {
  const queue = [...groups];
  const byId = new Map(groups.flat().map((t) => [t.id, t]));
  const count = Math.max(1, Math.min(options.workers, groups.length));
  const children: ChildProcess[] = [];
  let settled = false;
  let reported = false;

  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);

    let running = count;
    const next = (child: ChildProcess): void => {
      const group = queue.shift();
      const message: ToWorker = group
        ? { type: 'run', trials: group, backend: options.backend, threads: options.threads, out: options.out, savePredictions: options.savePredictions, saveModels: options.saveModels }
        : { type: 'exit' };
      child.send(message);
      if (!group && --running === 0) finish();
    };

    for (let w = 0; w < count; w++) {
      // Inherit execArgv (e.g. --import tsx when running from source); no stdin; output shared.
      const child = fork(workerPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (m: FromWorker) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
          case 'idle':
            next(child);
            break;
          case 'backend':
            if (!reported) {
              reported = true;
              options.onBackend({ name: m.name as BackendChoice['name'], version: m.version, reason: m.reason });
            }
            break;
          case 'warning':
            options.onWarning(m.message);
            break;
          case 'start':
            options.onStart(byId.get(m.trial)!);
            break;
          case 'epoch':
            options.onEpoch(byId.get(m.trial)!, m.info);
            break;
          case 'record': {
            const record = decodeRecord(m.record);
            options.onRecord(byId.get(record.trial)!, record);
            break;
          }
          case 'error':
            finish(m.input ? new InputError(m.message) : new Error(`a worker failed: ${m.message}`));
            break;
        }
      });
      child.on('exit', (code, signal) => {
        if (!settled && (code !== 0 || signal)) finish(new Error(`a worker process exited unexpectedly (${signal ?? `code ${code}`})`));
      });
    }
  });
}
