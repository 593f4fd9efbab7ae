import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { formatGithub, formatJunit, type GateReport, type GateRow } from '../../src/report/ci-formats.js';
import { runCli } from '../cli/run-cli.js';
import { validateJunit } from './junit-schema.js';

function row(over: Partial<GateRow>): GateRow {
  return { dataset: 'shapes', skew: 'exponential:10', method: 'weighted', label: 'square', group: 'medium', verdict: 'no regression', baselineMean: 0.43, currentMean: 0.43, delta: 0, interval: { low: -0.01, high: 0.01 }, test: 'paired, 5 seeds', ...over };
}

const report: GateReport = {
  metric: 'F1',
  maxDrop: 0.02,
  level: 0.95,
  baselineFile: 'results/baseline/per_label.csv',
  currentFile: 'results/quick/per_label.csv',
  rows: [
    row({ verdict: 'regression', baselineMean: 0.43, currentMean: 0.23, delta: -0.2, interval: { low: -0.25, high: -0.15 } }),
    row({ label: 'a<b & "c"\nd', verdict: 'inconclusive', delta: -0.05, interval: { low: -0.3, high: 0.2 }, reason: 'too few seeds, 50 % power' }),
    row({ label: 'ring', group: 'tail' }),
    row({ dataset: 'mnist', label: 'seven' }),
  ],
};

describe('the JUnit validator', () => {
  it('rejects what the schema rejects, so a pass means something', () => {
    const good = formatJunit(report);
    expect(validateJunit(good)).toEqual([]);
    const broken: Array<[string, RegExp]> = [
      [good.replace('<testcase classname', '<testcase nom="x" classname'), /attribute nom not allowed/],
      [good.replace(/ name="square \(medium\)"/, ''), /missing attribute name/],
      [good.replace('tests="4"', 'tests="four"'), /tests="four" is not int/],
      [good.replace('failures="1"', 'failures="2"'), /failures="2" but it holds 1/],
      [good.replace('&amp;', '&'), /bare "&"/],
      [good.replace('</testsuites>', ''), /unclosed <testsuites>/],
      [good.replace('<properties>', '<properties><testcase name="x"/>'), /<testcase> not allowed inside <properties>/],
      [good.replace('<skipped', '<failure/><skipped'), /more than one of skipped/],
    ];
    for (const [xml, message] of broken) expect(validateJunit(xml).join('\n')).toMatch(message);
  });
});

describe('compare --format junit', () => {
  const xml = formatJunit(report);

  it('is valid JUnit XML with one test case per row, grouped into one suite per dataset · skew', () => {
    expect(validateJunit(xml)).toEqual([]);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuites name="skewbench compare \(F1\)" tests="4" failures="1" errors="0" skipped="1"/);
  });

  it('fails a regression with its numbers and skips an inconclusive row with its reason', () => {
    expect(xml).toContain('<failure type="regression" message="F1 of square dropped by 0.200: F1 0.430 → 0.230 (Δ -0.200, 95 % interval [-0.250, -0.150], paired, 5 seeds; tolerated drop 0.02)"');
    expect(xml).toMatch(/<skipped message="inconclusive: too few seeds, 50 % power; F1 0.430 → 0.430 \(Δ -0.050/);
    expect(xml).toContain('name="a&lt;b &amp; &quot;c&quot;&#10;d (medium)"');
  });
});

describe('compare --format github', () => {
  const lines = formatGithub(report).split('\n');

  it('annotates each regression as an error and each inconclusive row as a warning, then a notice', () => {
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('::error file=results/quick/per_label.csv,title=regression%3A weighted · square::square (medium) of weighted on shapes exponential:10: F1 0.430 → 0.230 (Δ -0.200, 95 %25 interval [-0.250, -0.150], paired, 5 seeds; tolerated drop 0.02)');
    expect(lines[1]).toMatch(/^::warning file=[^:]+,title=inconclusive%3A weighted · a<b & "c"%0Ad::/);
    expect(lines[1]).not.toContain('\n');
    expect(lines[2]).toMatch(/^::notice title=skewbench compare::regression: 1 of 4 labels dropped in F1; 1 inconclusive;/);
  });
});

describe('compare --format junit | github end to end', () => {
  it('on the smoke suite with one label lowered: valid JUnit with the failure, exit 1; annotations', () => {
    const root = mkdtempSync(join(tmpdir(), 'skewbench-ci-'));
    // Five seeds: the fewest the gate decides on.
    const spec = JSON.parse(readFileSync('experiments/smoke.json', 'utf8')) as Record<string, unknown>;
    const specFile = join(root, 'smoke5.json');
    writeFileSync(specFile, JSON.stringify({ ...spec, seeds: 5 }));
    const run = runCli(['run', specFile, '--out', join(root, 'smoke'), '--workers', '1']);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(root, 'smoke', 'per_label.csv'), 'utf8');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const isVictim = (r: Record<string, string>) => r.method === 'weighted' && r.label === victimLabel;
    const victimLabel = rows.filter((r) => r.method === 'weighted').sort((a, b) => Number(b.ap) - Number(a.ap))[0].label;
    expect(Math.min(...rows.filter(isVictim).map((r) => Number(r.ap)))).toBeGreaterThan(0.25);
    // A clear AP drop that is not the same in every seed (a constant one has no spread to test).
    for (const r of rows) if (isVictim(r)) r.ap = String(Number(r.ap) - 0.2 - 0.01 * Number(r.seed));
    mkdirSync(join(root, 'lowered'));
    writeFileSync(join(root, 'lowered', 'per_label.csv'), stringify(rows, { header: true, columns: text.slice(0, text.indexOf('\n')).split(',') }));

    const junit = runCli(['compare', join(root, 'smoke'), join(root, 'lowered'), '--format', 'junit']);
    expect(junit.code, junit.stderr).toBe(1);
    expect(validateJunit(junit.stdout)).toEqual([]);
    // One test case per per-label row (methods × labels) and per summary row (3 per method).
    const labelRows = rows.length / 5;
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(labelRows + 3 * 3);
    const failures = junit.stdout.match(/<testcase [^>]*>\s*<failure [^>]*>/g) ?? [];
    expect(failures.some((f) => f.includes(`name="${victimLabel} (`) && f.includes('skewbench.shapes.exponential:10.weighted'))).toBe(true);
    // Every failure is the lowered label or a weighted summary row it moved; no other method fails.
    for (const f of failures) expect(f).toContain('.weighted"');

    const same = runCli(['compare', join(root, 'smoke'), join(root, 'smoke'), '--format', 'junit']);
    expect(same.code).toBe(0);
    expect(validateJunit(same.stdout)).toEqual([]);
    expect(same.stdout).not.toMatch(/<failure/);

    const github = runCli(['compare', join(root, 'smoke'), join(root, 'lowered'), '--format', 'github']);
    expect(github.code).toBe(1);
    expect(github.stdout.split('\n').filter((l) => l.startsWith('::error ')).length).toBe(failures.length);
    expect(github.stdout).toMatch(/::notice title=skewbench compare::regression: \d+ of/);
  }, 90_000);
});
