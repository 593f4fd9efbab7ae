import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/report/results.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('results folders written before data fingerprints and table hashes', () => {
  // The first 12 trials of the published full grid as it was first written (commit 8cbe818):
  // no data_fingerprint column, a manifest without table hashes.
  it('still read: trials without a data fingerprint, a manifest without table hashes', () => {
    const records = readResults(`${root}test/fixtures/results-before-fingerprints`);
    expect(records).toHaveLength(12);
    expect(records.every((r) => r.dataFingerprint === null)).toBe(true);
    expect(records.every((r) => r.perLabel.length === 10)).toBe(true);
  });
});
