import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/report/results.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('results folders written before data fingerprints and table hashes', () => {
  it('still read: the published full grid, its trials without a data fingerprint', () => {
    const records = readResults(`${root}results/full`);
    expect(records).toHaveLength(180);
    expect(records.every((r) => r.dataFingerprint === null)).toBe(true);
  });
});
