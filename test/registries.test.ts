import { describe, expect, it } from 'vitest';
import { DATASET_SOURCES } from '../src/data/sources/registry.js';
import { parseSpec } from '../src/experiment/spec.js';
import { PLANNERS } from '../src/labels/oversample.js';
import { SAMPLERS } from '../src/labels/sampling.js';
import { LOSSES } from '../src/train/losses/registry.js';
import { runCli } from './cli/run-cli.js';

/*
 * A loss, a planner, a sampler or a dataset source is one file plus one line in its registry: spec validation,
 * option checking and the CLI's choices are derived from the registry entries, which these tests
 * check for every entry (so a new entry is covered without touching them).
 */
const base = { name: 'r', dataset: { name: 'shapes' }, skews: ['uniform'] };
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
    return [];
  } catch (err) {
    return (err as Error).message.split('\n');
  }
};

describe('every registry entry is a spec choice with its own options', () => {
  it.each(LOSSES.map((l) => [l.kind, l] as const))('loss %s', (kind, loss) => {
    const weights = loss.weights === 'required' ? { weights: 'inverse-frequency' } : {};
    const options = Object.fromEntries(Object.entries(loss.defaults));
    const spec = parseSpec({ ...base, methods: [{ name: 'baseline' }, { name: 'm', loss: { kind, ...weights, options } }] }, 's.json');
    expect(spec.methods[1].loss?.kind).toBe(kind);
    expect(problems(() => parseSpec({ ...base, methods: [{ name: 'baseline', loss: { kind, ...weights, options: { bogus: 1 } } }] }, 's.json'))).toEqual([
      expect.stringMatching(new RegExp(`^s\\.json: methods\\[0\\]\\.loss\\.options\\.bogus: (unknown field|not an option of the ${kind} loss)`)),
    ]);
  });

  it.each(PLANNERS.map((p) => [p.name, p] as const))('planner %s', (method, planner) => {
    const spec = parseSpec({ ...base, methods: [{ name: 'baseline' }, { name: 'm', plan: { method, options: { ...planner.defaults } } }] }, 's.json');
    expect(spec.methods[1].plan?.method).toBe(method);
    const foreign = PLANNERS.flatMap((p) => Object.keys(p.defaults)).find((k) => !(k in planner.defaults) && !Object.keys((planner.options as unknown as { shape: object }).shape).includes(k));
    if (foreign) {
      expect(problems(() => parseSpec({ ...base, methods: [{ name: 'baseline', plan: { method, options: { [foreign]: 1 } } }] }, 's.json'))).toEqual([
        expect.stringMatching(new RegExp(`^s\\.json: methods\\[0\\]\\.plan\\.options\\.${foreign}: not an option of the ${method} planner`)),
      ]);
    }
  });

  it.each(SAMPLERS.map((x) => [x.name, x] as const))('sampler %s', (method, sampler) => {
    const spec = parseSpec({ ...base, methods: [{ name: 'baseline' }, { name: 'm', sampler: { method, options: { ...sampler.defaults } } }] }, 's.json');
    expect(spec.methods[1].sampler?.method).toBe(method);
    const accepted = Object.keys((sampler.options as unknown as { shape: object }).shape);
    const foreign = SAMPLERS.flatMap((x) => Object.keys((x.options as unknown as { shape: object }).shape)).find((k) => !accepted.includes(k));
    if (foreign) {
      expect(problems(() => parseSpec({ ...base, methods: [{ name: 'baseline', sampler: { method, options: { [foreign]: 0.5 } } }] }, 's.json'))).toEqual([
        expect.stringMatching(new RegExp(`^s\\.json: methods\\[0\\]\\.sampler\\.options\\.${foreign}: not an option of the ${method} sampler`)),
      ]);
    }
  });

  it('an option the chosen planner never reads is a spec error naming the JSON path', () => {
    expect(problems(() => parseSpec({ ...base, methods: [{ name: 'baseline', plan: { method: 'rfs', options: { percent: 50 } } }] }, 's.json'))).toEqual([
      's.json: methods[0].plan.options.percent: not an option of the rfs planner (it accepts threshold)',
    ]);
  });

  it.each(DATASET_SOURCES.map((s) => [s.name, s] as const))('dataset source %s owns its option schema', (_name, source) => {
    expect(source.options.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it('the CLI lists every planner and every dataset source', () => {
    const plan = runCli(['plan', '--help']).stdout;
    for (const p of PLANNERS) expect(plan).toContain(p.name);
    const dataset = runCli(['dataset', '--help']).stdout;
    for (const s of DATASET_SOURCES) expect(dataset).toContain(`${s.name} `);
  });
});
