import cliProgress from 'cli-progress';
import type { RunEvent } from '../experiment/runner.js';
import type { Trial } from '../experiment/grid.js';
import { num } from '../report/format.js';

function describe(trial: Trial): string {
  return `${trial.method.name} · ${trial.skew} · seed ${trial.seed}`;
}

/** Without a terminal, a status line at least this often while a trial runs, so a CI log never looks hung. */
export const QUIET_LIMIT_MS = 30_000;

export interface ProgressOptions {
  /** Longest silence without a terminal (default 30 s). */
  quietLimitMs?: number;
  now?: () => number;
}

interface Running {
  trial: Trial;
  started: number;
  epoch: number;
  epochs: number;
  loss: number | null;
}

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * Progress of a suite: a bar with trial, epoch, loss and ETA on a terminal; otherwise (CI logs,
 * pipes) one plain line per finished trial, and while trials run a line with each one's epoch, loss
 * and ETA whenever nothing was printed for `quietLimitMs`. Returns the event handler and a function
 * to stop the bar and the timer.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stdout, options: ProgressOptions = {}): { onEvent: (e: RunEvent) => void; stop: () => void } {
  const tty = Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const quietLimit = options.quietLimitMs ?? QUIET_LIMIT_MS;
  let bar: cliProgress.SingleBar | undefined;
  const started = now();
  let lastLine = started;
  const running = new Map<string, Running>();
  const finishedSeconds: number[] = [];
  let done = 0;
  let total = 0;
  /** Suite ETA: the mean time of a finished trial (else the running ones' estimates) × what is left. */
  const status = (): string => {
    const t = now();
    const parts = [...running.values()].map((r) => {
      const elapsed = (t - r.started) / 1000;
      const eta = r.epoch > 0 ? (elapsed / r.epoch) * (r.epochs - r.epoch) : NaN;
      return `${describe(r.trial)}: epoch ${r.epoch > 0 ? `${r.epoch}/${r.epochs}` : `-/${r.epochs || '?'}`}, loss ${r.loss === null ? '-' : num(r.loss, 4)}, trial ETA ${seconds(eta)}`;
    });
    const perTrial = finishedSeconds.length > 0 ? finishedSeconds.reduce((a, b) => a + b, 0) / finishedSeconds.length : NaN;
    const suiteEta = total > 0 ? (perTrial * (total - done)) / Math.max(1, running.size) : NaN;
    return `[${done}/${total}] ${parts.join('; ')} (${num((t - started) / 1000, 0)} s elapsed, suite ETA ${seconds(suiteEta)})`;
  };
  const timer = tty
    ? undefined
    : setInterval(() => {
        if (running.size > 0 && now() - lastLine >= quietLimit) {
          stream.write(status() + '\n');
          lastLine = now();
        }
      }, Math.max(10, Math.min(quietLimit / 3, 5_000)));
  timer?.unref();
  const line = (text: string): void => {
    if (bar) bar.stop();
    stream.write(text + '\n');
  };
  const onEvent = (e: RunEvent): void => {
    switch (e.type) {
      case 'backend':
        line(e.backend.reason);
        break;
      case 'notice':
        process.stderr.write(`${e.message}\n`);
        break;
      case 'resume':
        done = e.skipped;
        line(`resuming: ${e.skipped} of ${e.total} trials already finished${e.changed ? `; ${e.changed} finished on data that has changed since, so they run again` : ''}`);
        break;
      case 'trial-start':
        total = e.total;
        running.set(e.trial.id, { trial: e.trial, started: now(), epoch: 0, epochs: 0, loss: null });
        if (tty) {
          if (!bar) {
            bar = new cliProgress.SingleBar(
              {
                format: ' {bar} {value}/{total} trials | {trial} | epoch {epoch} loss {loss} | ETA {eta_formatted}',
                stream,
                hideCursor: true,
                etaBuffer: 4,
              },
              cliProgress.Presets.shades_classic,
            );
            bar.start(e.total, e.position, { trial: describe(e.trial), epoch: '-', loss: '-' });
          } else {
            bar.update(e.position, { trial: describe(e.trial), epoch: '-', loss: '-' });
          }
        }
        break;
      case 'epoch': {
        const r = running.get(e.trial.id);
        if (r) Object.assign(r, { epoch: e.info.epoch, epochs: e.info.epochs, loss: e.info.loss });
        if (!tty && now() - lastLine >= quietLimit) {
          stream.write(status() + '\n');
          lastLine = now();
        }
        bar?.update({ epoch: `${e.info.epoch}/${e.info.epochs}`, loss: num(e.info.loss, 4) });
        break;
      }
      case 'trial-end': {
        const run = running.get(e.trial.id);
        if (run) finishedSeconds.push((now() - run.started) / 1000);
        running.delete(e.trial.id);
        done++;
        total = e.total;
        lastLine = now();
        const r = e.record;
        const result = r.status === 'ok' ? `macro-F1 ${num(r.summary?.macro_f1)}, tail-F1 ${num(r.summary?.tail_f1)}` : `FAILED: ${r.reason}`;
        if (tty && bar) {
          bar.update(e.position + 1);
          if (r.status !== 'ok') stream.write(`\n${describe(e.trial)}: ${result}\n`);
        } else {
          const elapsed = (now() - started) / 1000;
          stream.write(`[${e.position + 1}/${e.total}] ${describe(e.trial)} (${e.trial.id}): ${result}, ${num(r.timings.total, 1)} s (${num(elapsed, 0)} s elapsed)\n`);
        }
        break;
      }
    }
  };
  return {
    onEvent,
    stop: () => {
      bar?.stop();
      if (timer) clearInterval(timer);
    },
  };
}
