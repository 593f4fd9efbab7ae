import { createHash } from 'node:crypto';
import type { ImageSet } from './types.js';

/**
 * SHA-256 (hex) of a set's shape, label names, pixels and label bits: equal hashes mean the same
 * images with the same labels in the same order. Provenance (`sources`) is not part of the data.
 */
export function datasetHash(set: ImageSet): string {
  const hash = createHash('sha256');
  const header = new Uint32Array([set.labels.rows, set.height, set.width, set.channels, set.labels.numLabels]);
  hash.update(new Uint8Array(header.buffer));
  hash.update(JSON.stringify(set.labels.labels));
  hash.update(set.images);
  const words = set.labels.words;
  // Hash the bits as little-endian bytes so the hash is the same on every platform.
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  hash.update(bytes);
  return hash.digest('hex');
}
