import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReadme } from '../src/report/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('the README figures', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'skewbench-readme-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of results/ in `name` with one cell of results/full/summary.csv changed: the row starting with `prefix`, column `column`. */
  const withSummaryCell = (name: string, prefix: string, column: string, value: string): string => {
    const dir = join(tmp, name);
    cpSync(join(root, 'results'), join(dir, 'results'), { recursive: true });
    const summary = join(dir, 'results/full/summary.csv');
    const text = readFileSync(summary, 'utf8');
    const header = text.split('\n')[0].split(',');
    const line = text.split('\n').find((l) => l.startsWith(prefix))!;
    const cells = line.split(',');
    cells[header.indexOf(column)] = value;
    writeFileSync(summary, text.replace(line, cells.join(',')));
    return dir;
  };

  it('are exactly what the committed result files render (npm run readme)', () => {
    expect(renderReadme(readme, root)).toBe(readme);
  });

  it('follow the result files: a changed baseline mean changes the published table', () => {
    const rendered = renderReadme(readme, withSummaryCell('baseline-mean', 'fashion-mosaic,exponential:10,baseline,macro_f1,', 'mean', '0.9'));
    expect(rendered).not.toBe(readme);
    expect(rendered).toMatch(/\| baseline \| 0\.900 \|/);
  });

  it("follow the result files in the reading of them too: a changed method's Δ changes the figure quoted for it", () => {
    const rendered = renderReadme(readme, withSummaryCell('results-reading', 'fashion-mosaic,exponential:100,class-aware,map,', 'delta_mean', '0.5'));
    expect(readme).not.toMatch(/largest mAP gain at IF 100 \(\+0\.500\)/);
    expect(rendered).toMatch(/largest mAP gain at IF 100 \(\+0\.500\)/);
  });

  it('name what the calibration\'s false alarms flagged, from its verdicts: a draw that flags another row adds it', () => {
    const dir = join(tmp, 'calibration-flags');
    cpSync(join(root, 'results'), join(dir, 'results'), { recursive: true });
    const file = join(dir, 'results/calibration/verdicts.json');
    const verdicts = JSON.parse(readFileSync(file, 'utf8')) as { results: Array<{ condition: string; seeds: number; pass: number; raw: Array<{ outcome: string; flagged: string[] }> }> };
    const rerun = verdicts.results.find((r) => r.condition === 'rerun' && r.seeds === 5)!;
    rerun.raw[0] = { ...rerun.raw[0], outcome: 'regression', flagged: ['per-label:baseline:Sandal'] };
    rerun.pass -= 1;
    writeFileSync(file, JSON.stringify(verdicts));
    const rendered = renderReadme(readme, dir);
    expect(readme).not.toMatch(/the same suite run again, unchanged, 5 seeds: baseline\/Sandal 1×/);
    expect(rendered).toMatch(/the same suite run again, unchanged, 5 seeds: baseline\/Sandal 1×/);
  });

  it('give every run of the GEMM benchmark its due: one run below 75 % shows in the lowest share and the count of runs that held it', () => {
    const dir = join(tmp, 'gemm-runs');
    cpSync(join(root, 'results'), join(dir, 'results'), { recursive: true });
    const file = join(dir, 'results/bench/gemm.json');
    const gemm = JSON.parse(readFileSync(file, 'utf8')) as { runs: Array<{ rows: Array<{ name: string; shareOfPeak: number }> }> };
    const row = (run: number) => gemm.runs[run].rows.find((r) => r.name === '1024x1024x1024')!;
    for (const [i, run] of gemm.runs.entries()) row(i).shareOfPeak = i === 0 ? 0.5 : 0.8 + 0.01 * (run === gemm.runs[1] ? 1 : 0);
    writeFileSync(file, JSON.stringify(gemm));
    const line = renderReadme(readme, dir).split('\n').find((l) => l.startsWith('| 1024x1024x1024 |'))!;
    const runs = gemm.runs.length;
    expect(line).toMatch(new RegExp(`\\| 50–81 % \\| ${runs - 1} of ${runs} \\|$`));
  });

  it('follow the training set sizes: the imbalances at which the seed heuristic grows the set the most come from the summary', () => {
    const dir = withSummaryCell('set-sizes', 'fashion-mosaic,exponential:50,seed-heuristic,train_images,', 'mean', '10');
    expect(readme).toMatch(/grows the set the most at IF 50 and 100 \(to 28,000 and 49,640 training images\)/);
    expect(renderReadme(readme, dir)).toMatch(/grows the set the most at IF 100 \(to 49,640 training images\)/);
  });

  it('names a missing block', () => {
    expect(() => renderReadme('no blocks here', root)).toThrow(/no <!-- rendered:published-results -->/);
  });
});
