import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/data/build.js';
import { loadFolder, splitOfId } from '../../src/data/folder.js';
import { parseSkew } from '../../src/data/skew.js';
import { inputErrorMessage } from './input-error.js';

const root = mkdtempSync(join(tmpdir(), 'skewbench-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LABELS = ['cat', 'dog', 'sky'];

/** A folder of n solid-colour images whose labels follow from the index, as PNG, JPEG and WebP. */
async function makeFolder(name: string, n: number): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const lines = ['file,labels'];
  for (let i = 0; i < n; i++) {
    const ext = ['png', 'jpg', 'webp'][i % 3];
    const file = `img${i}.${ext}`;
    const grey = (i * 37) % 256;
    await sharp({ create: { width: 12, height: 8, channels: 3, background: { r: grey, g: grey, b: grey } } })
      .toFormat(ext === 'jpg' ? 'jpeg' : (ext as 'png' | 'webp'), ext === 'webp' ? { lossless: true } : {})
      .toFile(join(dir, file));
    const labels = LABELS.filter((_, l) => i % (l + 2) === 0 || (l === 2 && i % 2 === 1));
    lines.push(`${file},${labels.join('|')}`);
  }
  writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
  return dir;
}

let dir: string;
beforeAll(async () => {
  dir = await makeFolder('ok', 90);
});

describe('loadFolder', () => {
  it('decodes PNG, JPEG and WebP, resized to the asked size and channels', async () => {
    const grey = await loadFolder({ dir, size: 6, channels: 1 });
    expect(grey.labels.rows).toBe(90);
    expect([grey.height, grey.width, grey.channels]).toEqual([6, 6, 1]);
    expect(grey.images.length).toBe(90 * 36);
    // Image 3 is a solid grey of 111: every pixel decodes to (about) that value.
    for (const v of grey.images.subarray(3 * 36, 4 * 36)) expect(Math.abs(v - 111)).toBeLessThanOrEqual(2);
    expect(grey.labels.labels).toEqual(LABELS);
    const rgb = await loadFolder({ dir, size: 4, channels: 3 });
    expect(rgb.images.length).toBe(90 * 4 * 4 * 3);
  });

  it('names an absent file, an undecodable file, an empty folder and a missing labels file', async () => {
    const absent = await makeFolder('absent', 3);
    writeFileSync(join(absent, 'labels.csv'), 'file,labels\nimg0.png,cat\nghost.png,dog\n');
    expect(await inputErrorMessage(loadFolder({ dir: absent, size: 8, channels: 1 }))).toMatch(/labels\.csv:3: image "ghost\.png" is not a file in .*absent/);

    const broken = await makeFolder('broken', 3);
    writeFileSync(join(broken, 'img1.jpg'), 'not a jpeg at all');
    expect(await inputErrorMessage(loadFolder({ dir: broken, size: 8, channels: 1 }))).toMatch(/broken[/\\]img1\.jpg: cannot decode image/);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(await inputErrorMessage(loadFolder({ dir: empty, size: 8, channels: 1 }))).toMatch(/folder .*empty: no PNG, JPEG or WebP images in it/);

    const noCsv = join(root, 'nocsv');
    mkdirSync(noCsv);
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toFile(join(noCsv, 'a.png'));
    expect(await inputErrorMessage(loadFolder({ dir: noCsv, size: 8, channels: 1 }))).toMatch(/labels file .*nocsv[/\\]labels\.csv not found/);

    expect(await inputErrorMessage(loadFolder({ dir: join(root, 'nowhere'), size: 8, channels: 1 }))).toMatch(/nowhere: not a directory/);
  });
});

describe('buildDataset: folder', () => {
  it('splits by image id and subsamples train to the skew', async () => {
    const d = await buildDataset({ name: 'folder', options: { dir, size: 8 } }, parseSkew('exponential:2'), 3);
    expect(d.labels).toEqual(LABELS);
    const trainIds = new Set(d.train.labels.ids);
    for (const id of d.test.labels.ids!) expect(trainIds.has(id)).toBe(false);
    for (const id of d.train.labels.ids!) expect(splitOfId(id)).toBe('train');
    for (const id of d.test.labels.ids!) expect(splitOfId(id)).toBe('test');
    const counts = d.train.labels.counts();
    d.targets.forEach((t, l) => expect(counts[l]).toBeGreaterThanOrEqual(t));
    expect(Math.max(...d.targets) / Math.min(...d.targets)).toBeCloseTo(2, 0);
    expect(d.augmentations).toEqual(['flip', 'rotate', 'zoom', 'brightness']);
    // Test is balanced at what the scarcest label supplies (the folder is small), and says so.
    const testCounts = d.test.labels.counts();
    const perLabel = d.testTargets[0];
    expect(d.testTargets.every((t) => t === perLabel)).toBe(true);
    testCounts.forEach((c) => expect(c).toBeGreaterThanOrEqual(perLabel));
    expect(Math.min(...testCounts)).toBe(perLabel);
    expect(d.warnings).toEqual([expect.stringMatching(new RegExp(`has ${perLabel} test images, so test is balanced at ${perLabel} per label \\(testPerLabel 100\\)`))]);
    const again = await buildDataset({ name: 'folder', options: { dir, size: 8 } }, parseSkew('exponential:2'), 3);
    expect(again.train.labels.ids).toEqual(d.train.labels.ids);
  });

  it('names the label and the numbers when nMax asks for more than the folder has', async () => {
    expect(await inputErrorMessage(buildDataset({ name: 'folder', options: { dir, size: 8, nMax: 500 } }, parseSkew('uniform'), 1))).toMatch(
      /train split: skew uniform with nMax 500 needs 500 images of label "\w+" but only \d+ have it/,
    );
  });
});
