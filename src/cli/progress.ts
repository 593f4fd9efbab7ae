import cliProgress from 'cli-progress';
import type { RunEvent } from '../experiment/runner.js';
import type { Trial } from '../experiment/grid.js';
import { num } from '../report/format.js';

function describe(trial: Trial): string {
  return `${trial.method.name} · ${trial.skew} · seed ${trial.seed}`;
}

/**
 * Progress of a suite: a bar with trial, epoch, loss and ETA on a terminal; one plain line per
 * finished trial otherwise (CI logs, pipes). Returns the event handler and a function to stop the bar.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stdout): { onEvent: (e: RunEvent) => void; stop: () => void } {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  const started = Date.now();
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
        line(`resuming: ${e.skipped} of ${e.total} trials already finished${e.changed ? `; ${e.changed} finished on data that has changed since, so they run again` : ''}`);
        break;
      case 'trial-start':
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
      case 'epoch':
        bar?.update({ epoch: `${e.info.epoch}/${e.info.epochs}`, loss: num(e.info.loss, 4) });
        break;
      case 'trial-end': {
        const r = e.record;
        const result = r.status === 'ok' ? `macro-F1 ${num(r.summary?.macro_f1)}, tail-F1 ${num(r.summary?.tail_f1)}` : `FAILED: ${r.reason}`;
        if (tty && bar) {
          bar.update(e.position + 1);
          if (r.status !== 'ok') stream.write(`\n${describe(e.trial)}: ${result}\n`);
        } else {
          const elapsed = (Date.now() - started) / 1000;
          stream.write(`[${e.position + 1}/${e.total}] ${describe(e.trial)} (${e.trial.id}): ${result}, ${num(r.timings.total, 1)} s (${num(elapsed, 0)} s elapsed)\n`);
        }
        break;
      }
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}
