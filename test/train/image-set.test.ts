import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { imageCount, imagesToFloats, imagesToFloatsInto, labelsToFloats, labelsToFloatsInto } from '../../src/train/image-set.js';

describe('batch conversion', () => {
  const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => (i * 23) % 256);
  const batch = { images, height: 2, width: 2, channels: 1 };

  it('scales the images of a batch to [0, 1] in the given order, byte / 255 exactly as float32', () => {
    expect(imageCount(batch)).toBe(3);
    const out = imagesToFloats(batch, [2, 0, 1], 1, 3);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((j) => Math.fround(images[j] / 255)));
    expect(Array.from(imagesToFloats(batch, null, 0, 1))).toEqual([0, 1, 2, 3].map((j) => Math.fround(images[j] / 255)));
    expect(imagesToFloats({ ...batch, images: Uint8Array.of(0, 255, 128, 1) }, null, 0, 1)[1]).toBe(1);
  });

  it('writes a batch into a caller\'s buffer: the same floats as imagesToFloats, the rest of the buffer untouched', () => {
    const out = new Float32Array(12).fill(-1);
    const written = imagesToFloatsInto(out, batch, [2, 0, 1], 1, 3);
    expect(written.buffer).toBe(out.buffer);
    expect(Array.from(written)).toEqual(Array.from(imagesToFloats(batch, [2, 0, 1], 1, 3)));
    expect(Array.from(out.subarray(8))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(imagesToFloatsInto(out, batch, null, 2, 3))).toEqual(Array.from(imagesToFloats(batch, null, 2, 3)));
    expect(imagesToFloatsInto(out, batch, null, 1, 1).length).toBe(0);
    expect(() => imagesToFloatsInto(new Float32Array(7), batch, null, 0, 2)).toThrow('output buffer holds 7 floats, 2 images of 2×2×1 need 8');
  });

  it('builds dense multi-hot targets of the batch rows', () => {
    const labels = LabelMatrix.fromRows(['a', 'b', 'c'], [[0, 2], [], [1]]);
    expect(Array.from(labelsToFloats(labels, [2, 0], 0, 2))).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('writes targets into a caller\'s buffer: earlier batches\' ones cleared, the rest untouched, too small a buffer refused', () => {
    const labels = LabelMatrix.fromRows(['a', 'b', 'c'], [[0, 2], [], [1]]);
    const out = new Float32Array(9).fill(-1);
    const written = labelsToFloatsInto(out, labels, [2, 0, 1], 0, 2);
    expect(written.buffer).toBe(out.buffer);
    expect(Array.from(written)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(out.subarray(6))).toEqual([-1, -1, -1]);
    expect(Array.from(labelsToFloatsInto(out, labels, [1], 0, 1))).toEqual([0, 0, 0]);
    expect(() => labelsToFloatsInto(new Float32Array(5), labels, [0, 1], 0, 2)).toThrow('output buffer holds 5 floats, 2 images of 3 labels need 6');
  });
});
