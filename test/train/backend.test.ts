import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackend, type BackendPreference } from '../../src/train/backend.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('selectBackend', () => {
  it('prints nothing itself and silences tfjs’s banner', async () => {
    const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    const logs = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'info'), vi.spyOn(console, 'error')];
    await selectBackend('cpu');
    // the cpu backend prints its "install our node backend" banner on its first tensor
    tf.square(tf.tensor([1, 2, 3])).dataSync();
    await selectBackend('wasm');
    tf.square(tf.tensor([1, 2, 3])).dataSync();
    await selectBackend('auto');
    for (const spy of [...writes, ...logs]) expect(spy).not.toHaveBeenCalled();
  });

  it('auto falls back to wasm when @tensorflow/tfjs-node is not installed, and says why', async () => {
    const choice = await selectBackend('auto');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.version).toBe('4.22.0');
    expect(choice.reason).toMatch(/^backend wasm \(1 thread, project SIMD kernels( with fused multiply-add)?\): @tensorflow\/tfjs-node is not installed$/);
    expect(choice.reason).not.toContain('\n');
  });

  it('is idempotent: asking again returns the same choice', async () => {
    const a = await selectBackend('wasm');
    const b = await selectBackend('wasm');
    expect(b).toBe(a);
    const cpu = await selectBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', version: '4.22.0' });
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackend('cpu')).toBe(cpu);
    // switching back re-activates wasm with its kernels still registered
    expect(await selectBackend('wasm')).toBe(a);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('a forced tensorflow backend fails with the reason when tfjs-node is missing', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow("backend 'tensorflow' is unavailable: @tensorflow/tfjs-node is not installed");
  });

  it('rejects an unknown preference', async () => {
    await expect(selectBackend('webgl' as BackendPreference)).rejects.toThrow("unknown backend 'webgl' (expected one of auto, tensorflow, wasm, cpu)");
  });
});
