import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/labels/rng.js';

describe('createRng', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.float())(createRng(1)));
    const b = Array.from({ length: 5 }, ((r) => () => r.float())(createRng(1)));
    const c = Array.from({ length: 5 }, ((r) => () => r.float())(createRng(2)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('forks streams that do not depend on what the parent drew', () => {
    const r1 = createRng(9);
    const r2 = createRng(9);
    r2.float();
    r2.float();
    expect(r1.fork('x').float()).toBe(r2.fork('x').float());
    expect(r1.fork('x').float()).not.toBe(r1.fork('y').float());
  });

  it('draws integers in range, roughly uniformly', () => {
    const r = createRng(3);
    const hist = new Array(5).fill(0);
    for (let k = 0; k < 5000; k++) hist[r.int(5)]++;
    for (const h of hist) expect(h).toBeGreaterThan(850);
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('draws standard normals with mean ~0 and variance ~1', () => {
    const r = createRng(4);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
