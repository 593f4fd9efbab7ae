import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import type { RunEvent } from '../../src/experiment/runner.js';
import { runCli } from './run-cli.js';

/** A stream that is not a terminal (a CI log) and keeps what is written to it. */
function logStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

const trial = { id: 't1', method: { name: 'weighted' }, skew: 'exponential:10', seed: 1 } as unknown as Extract<RunEvent, { type: 'trial-start' }>['trial'];

describe('progress without a terminal', () => {
  it('prints epoch, loss and ETA within a trial whenever nothing was printed for the quiet limit', () => {
    let t = 0;
    const log = logStream();
    const p = progressReporter(log.stream, { quietLimitMs: 30_000, now: () => t });
    p.onEvent({ type: 'trial-start', trial, position: 0, total: 4 });
    t = 10_000;
    p.onEvent({ type: 'epoch', trial, info: { epoch: 1, epochs: 4, steps: 10, loss: 0.6931 } as never });
    expect(log.text()).toBe(''); // 10 s of silence is fine
    t = 31_000;
    p.onEvent({ type: 'epoch', trial, info: { epoch: 2, epochs: 4, steps: 20, loss: 0.5 } as never });
    // 31 s in trial for 2 of 4 epochs: 31 s still to go
    expect(log.text()).toMatch(/^\[0\/4\] weighted · exponential:10 · seed 1: epoch 2\/4, loss 0\.5000, trial ETA 31 s \(31 s elapsed, suite ETA \?\)\n$/);
    t = 40_000;
    p.onEvent({ type: 'epoch', trial, info: { epoch: 3, epochs: 4, steps: 30, loss: 0.4 } as never });
    expect(log.text().split('\n')).toHaveLength(2); // one line, then silence again
    p.stop();
  });

  it('prints a line from its timer when a single epoch outlasts the quiet limit', async () => {
    const log = logStream();
    const p = progressReporter(log.stream, { quietLimitMs: 60 });
    p.onEvent({ type: 'trial-start', trial, position: 0, total: 1 });
    await new Promise((r) => setTimeout(r, 200));
    p.stop();
    const lines = log.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/weighted · exponential:10 · seed 1: epoch -\/\?, loss -, trial ETA \?/);
    const after = log.text();
    await new Promise((r) => setTimeout(r, 150));
    expect(log.text()).toBe(after); // stop() stops the timer
  });
});

describe('skewbench --version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
