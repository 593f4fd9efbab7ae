import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTrainingBench } from '../../src/cli/bench-training.js';
import { InputError } from '../../src/errors.js';

function program(): Command {
  const root = new Command().exitOverride();
  registerTrainingBench(root.command('bench').exitOverride());
  return root;
}

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('skewbench bench training', () => {
  it('--json prints one JSON object per model line and the backend line on stderr', async () => {
    const { out, err } = capture();
    await program().parseAsync(['bench', 'training', '--backend', 'wasm', '--model', 'mlp', '--images', '64', '--epochs', '1', '--json'], { from: 'user' });
    vi.restoreAllMocks();
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]);
    expect(row).toMatchObject({ engine: 'tfjs-wasm-4.22.0', threads: 1, model: 'mlp', inputSize: 28, channels: 1, labels: 10, batchSize: 64, images: 64 });
    expect(err.join('')).toMatch(/^backend wasm \(.*\): requested\n$/);
  });

  it('rejects a bad flag with a one-line input error', async () => {
    capture();
    await expect(program().parseAsync(['bench', 'training', '--backend', 'gpu'], { from: 'user' })).rejects.toThrow(
      new InputError('--backend: expected one of auto, tensorflow, wasm, cpu, got "gpu"'),
    );
    await expect(program().parseAsync(['bench', 'training', '--model', 'vit'], { from: 'user' })).rejects.toThrow(/--model: expected one of mlp, cnn, resnet, both, got "vit"/);
    await expect(program().parseAsync(['bench', 'training', '--images', '0'], { from: 'user' })).rejects.toThrow(/--images: expected an integer ≥ 1, got "0"/);
    await expect(program().parseAsync(['bench', 'training', '--threads', '0'], { from: 'user' })).rejects.toThrow(/--threads: expected an integer ≥ 1, got "0"/);
    await expect(program().parseAsync(['bench', 'training', '--channels', 'rgb'], { from: 'user' })).rejects.toThrow(/--channels: expected an integer ≥ 1, got "rgb"/);
  });
});
