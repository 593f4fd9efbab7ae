import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'skewbench-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = /node_modules\/(@tensorflow\/[^/]+|sharp|vega[^/]*|tinybench)\//;

/** The heavy packages a process loads: node with the import tracer, then `args`. */
function heavyPackagesOf(args: string[], name: string): { code: number | null; packages: string[] } {
  const trace = join(dir, `${name}.txt`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/trace-imports.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SKEWBENCH_TRACE_IMPORTS: trace, NO_COLOR: '1' },
    timeout: 60_000,
  });
  const urls = readFileSync(trace, 'utf8').split('\n');
  expect(urls.some((u) => u.includes('/src/')), 'the tracer saw the project load').toBe(true);
  const packages = [...new Set(urls.map((u) => HEAVY.exec(u)?.[1]).filter((p): p is string => p !== undefined))];
  return { code: r.status, packages };
}

describe('commands load only what they use', () => {
  const cli = (...args: string[]) => ['src/cli/main.ts', ...args];
  const cases: Array<[string, string[]]> = [
    ['stats', cli('stats', 'test/fixtures/sample-labels.csv')],
    ['weights', cli('weights', 'test/fixtures/sample-labels.csv', '--scheme', 'pos-weight')],
    ['plan', cli('plan', 'test/fixtures/sample-labels.csv', '--method', 'rfs', '--out', join(dir, 'plan.csv'))],
    ['compare', cli('compare', 'results/baseline', 'results/baseline')],
    ['merge', cli('merge', join(dir, 'missing-a'), join(dir, 'missing-b'), '--out', join(dir, 'merged'))],
    ['help', cli('--help')],
    ['report (unusable folder)', cli('report', join(dir, 'missing'))],
  ];
  it.each(cases)('%s loads no tfjs, sharp, vega or tinybench', (name, args) => {
    const { packages } = heavyPackagesOf(args, name.replace(/\W+/g, '-'));
    expect(packages).toEqual([]);
  });

  it('the tracer sees packages loaded with require too', () => {
    const script = "const { createRequire } = await import('node:module'); createRequire(process.cwd() + '/src/')('sharp');";
    expect(heavyPackagesOf(['--input-type=module', '-e', `await import('./src/errors.ts'); ${script}`], 'require').packages).toContain('sharp');
  });

  it('the tracer does see tfjs when a command needs it', () => {
    const script = "const { selectBackend } = await import('./src/train/index.ts'); await selectBackend('cpu');";
    expect(heavyPackagesOf(['--input-type=module', '-e', script], 'train').packages).toContain('@tensorflow/tfjs-core');
  });

  it('the light library entry loads no tfjs, sharp or vega', () => {
    const { code, packages } = heavyPackagesOf(['--input-type=module', '-e', "await import('./src/index.ts')"], 'index');
    expect(code).toBe(0);
    expect(packages).toEqual([]);
  });
});
