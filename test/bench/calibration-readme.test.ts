import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrationFilePath, calibrationMarkdown, readCalibration, README_MARKERS, replaceBetweenMarkers, seedSubsets } from '../../src/bench/calibrate.js';

const FILE = calibrationFilePath('results/calibration');

describe('calibration figures', () => {
  it.runIf(existsSync(FILE))('the README states exactly what results/calibration/verdicts.json says', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(replaceBetweenMarkers(readme, calibrationMarkdown(readCalibration(FILE)))).toBe(readme);
  });

  it('the README has the markers the renderer writes between', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.indexOf(README_MARKERS.begin)).toBeGreaterThan(0);
    expect(readme.indexOf(README_MARKERS.end)).toBeGreaterThan(readme.indexOf(README_MARKERS.begin));
  });

  it('seed subsets: all of them when few, else distinct seeded draws', () => {
    expect(seedSubsets([1, 2, 3, 4], 3, 10, 1)).toEqual([[1, 2, 3], [1, 2, 4], [1, 3, 4], [2, 3, 4]]);
    const drawn = seedSubsets(Array.from({ length: 12 }, (_, i) => i + 1), 5, 50, 7);
    expect(drawn).toHaveLength(50);
    expect(new Set(drawn.map((s) => s.join())).size).toBe(50);
    expect(drawn.every((s) => s.length === 5 && new Set(s).size === 5)).toBe(true);
    expect(seedSubsets(Array.from({ length: 12 }, (_, i) => i + 1), 5, 50, 7)).toEqual(drawn);
  });
});
