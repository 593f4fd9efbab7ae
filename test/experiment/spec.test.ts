import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { BACKEND_NAMES, formatJsonPath, loadSpec, LOSS_NAMES, MODEL_NAMES, parseSpec } from '../../src/experiment/spec.js';
import { LOSS_KINDS } from '../../src/train/losses.js';
import { MODEL_KINDS } from '../../src/train/models.js';
import { BACKEND_PREFERENCES } from '../../src/train/backend.js';

const minimal = {
  name: 'quick',
  dataset: { name: 'fashion-mosaic' },
  skews: ['exponential:50'],
  methods: [{ name: 'baseline' }, { name: 'weighted', loss: { kind: 'weighted-bce', weights: 'inverse-frequency' } }],
};

/** The message lines of the InputError `fn` throws. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected an InputError');
}

describe('parseSpec defaults', () => {
  it('resolves every default of a minimal spec', () => {
    expect(parseSpec(minimal, 'x.json')).toEqual({
      name: 'quick',
      dataset: { name: 'fashion-mosaic', options: {} },
      skews: ['exponential:50'],
      model: 'cnn',
      train: { budget: 'steps', epochs: 5, batchSize: 64, learningRate: 0.001 },
      methods: [{ name: 'baseline' }, { name: 'weighted', loss: { kind: 'weighted-bce', weights: { scheme: 'inverse-frequency' }, options: {} } }],
      seeds: [1, 2, 3],
      evaluation: { groups: { head: 100, tail: 20 }, threshold: 0.5, minTestPositives: 5 },
    });
  });

  it('turns a seed count into seeds 1…n and keeps a list as written', () => {
    expect(parseSpec({ ...minimal, seeds: 2 }, 'x.json').seeds).toEqual([1, 2]);
    expect(parseSpec({ ...minimal, seeds: [7, 0, 3] }, 'x.json').seeds).toEqual([7, 0, 3]);
  });

  it('fills plan defaults and keeps explicit values', () => {
    const spec = parseSpec(
      {
        ...minimal,
        model: 'mlp',
        train: { budget: 'epochs', epochs: 2, backend: 'wasm' },
        methods: [
          { name: 'baseline' },
          { name: 'oversample', plan: { method: 'targeted', augment: ['flip', 'rotate'] } },
          { name: 'ml-ros', plan: { method: 'ml-ros', options: { percent: 10 } } },
          { name: 'focal', loss: { kind: 'focal', options: { gamma: 1.5 } } },
          { name: 'en', loss: { kind: 'weighted-bce', weights: { scheme: 'effective-number', beta: 0.99 } } },
        ],
        evaluation: { groups: { tail: 5 } },
      },
      'x.json',
    );
    expect(spec.train).toEqual({ budget: 'epochs', epochs: 2, batchSize: 64, learningRate: 0.001, backend: 'wasm' });
    expect(spec.methods[1].plan).toEqual({ method: 'targeted', options: {}, augment: ['flip', 'rotate'] });
    expect(spec.methods[2].plan).toEqual({ method: 'ml-ros', options: { percent: 10 }, augment: [] });
    expect(spec.methods[3].loss).toEqual({ kind: 'focal', weights: { scheme: 'none' }, options: { gamma: 1.5 } });
    expect(spec.methods[4].loss!.weights).toEqual({ scheme: 'effective-number', beta: 0.99 });
    expect(spec.evaluation).toEqual({ groups: { head: 100, tail: 5 }, threshold: 0.5, minTestPositives: 5 });
  });

  it('accepts every skew syntax the dataset module reads', () => {
    const skews = ['exponential:50', 'pareto:20', 'pareto:20:6', 'step:0.3:20', 'uniform', 'exponential:1e2'];
    expect(parseSpec({ ...minimal, skews }, 'x.json').skews).toEqual(skews);
  });
});

describe('parseSpec errors: one line per problem, naming the file and JSON path', () => {
  it('reports every problem of a bad spec', () => {
    const bad = {
      name: 'x y',
      dataset: { name: 'fashion-mosaic' },
      skews: ['exponential:50', 'expo nential', 'exponential:50'],
      model: 'vgg',
      train: { epochs: 0, batchSize: 6.5, epoch: 3 },
      methods: [
        { name: 'baseline' },
        { name: 'w', loss: { kind: 'weird' } },
        { name: 'w', loss: { kind: 'weighted-bce', options: { gamma: 2 } } },
        { name: 'o', plan: { method: 'oversample', augment: ['flip', 'blur'], options: { maxGrowth: 0.5 } } },
        { name: 'z', loss: { kind: 'focal', weights: 'foo' } },
        { name: 'b', loss: { kind: 'bce', weights: 'pos-weight' } },
      ],
      seeds: [1, 2.5, 1],
      evaluation: { groups: { head: 10 } },
    };
    expect(problems(() => parseSpec(bad, 'experiments/x.json'))).toEqual([
      'experiments/x.json: name: expected a name of letters, digits, ".", "_", "+" or "-" (not starting with a symbol)',
      'experiments/x.json: skews[1]: expected a skew like exponential:50, pareto:20, step:0.3:20 or uniform',
      'experiments/x.json: model: expected one of "mlp", "cnn", "resnet", or an object { layers: "model.json" } or { module: "model.js" }, got "vgg"',
      'experiments/x.json: train.epochs: expected a number > 0, got 0',
      'experiments/x.json: train.batchSize: expected an integer, got 6.5',
      'experiments/x.json: train.epoch: unknown field',
      'experiments/x.json: methods[1].loss.kind: expected one of "bce", "weighted-bce", "focal", "asymmetric", "distribution-balanced", got "weird"',
      'experiments/x.json: methods[2].loss.weights: weighted-bce needs a weights scheme other than none (one of inverse-frequency, balanced-binary, pos-weight, effective-number, sqrt-inverse)',
      'experiments/x.json: methods[2].loss.options.gamma: not an option of the weighted-bce loss (it takes no options)',
      'experiments/x.json: methods[3].plan.method: expected one of "seed-heuristic", "targeted", "ml-ros", "rfs", "lp-ros", got "oversample"',
      'experiments/x.json: methods[3].plan.options.maxGrowth: expected a number ≥ 1, got 0.5',
      'experiments/x.json: methods[3].plan.augment[1]: expected one of "flip", "rotate", "zoom", "brightness", got "blur"',
      'experiments/x.json: methods[4].loss.weights: expected one of none, inverse-frequency, balanced-binary, pos-weight, effective-number, sqrt-inverse, or an object { scheme, normalize?, clip?, beta? }, got "foo"',
      'experiments/x.json: methods[5].loss.weights: the bce loss takes no per-label weights; use kind "weighted-bce"',
      'experiments/x.json: seeds[1]: expected an integer, got 2.5',
      'experiments/x.json: skews[2]: duplicate skew "exponential:50" (also skews[0])',
      'experiments/x.json: seeds[2]: duplicate seed 1 (also seeds[0])',
      'experiments/x.json: methods[2].name: duplicate method name "w" (also methods[1])',
      'experiments/x.json: evaluation.groups: expected tail ≤ head, got head 10, tail 20',
    ]);
  });

  it('names missing fields and a missing baseline', () => {
    expect(problems(() => parseSpec({ methods: [{ name: 'other' }] }, 's.json'))).toEqual([
      's.json: name: required: expected a string',
      's.json: dataset: required: expected an object',
      's.json: skews: required: expected a list',
      's.json: methods: expected one method named "baseline" (the reference every method is compared with)',
    ]);
  });

  it('rejects a spec that is not an object, and bad seed counts', () => {
    expect(problems(() => parseSpec([], 's.json'))).toEqual(['s.json: (root): expected an object, got a list']);
    expect(problems(() => parseSpec({ ...minimal, seeds: 0 }, 's.json'))).toEqual(['s.json: seeds: expected a number > 0, got 0']);
    expect(problems(() => parseSpec({ ...minimal, seeds: [] }, 's.json'))).toEqual(['s.json: seeds: expected at least 1 entry']);
    expect(problems(() => parseSpec({ ...minimal, seeds: 'three' }, 's.json'))).toEqual([
      's.json: seeds: expected a non-empty list of integer seeds or a positive count, got "three"',
    ]);
    expect(problems(() => parseSpec({ ...minimal, methods: [] }, 's.json'))).toEqual([
      's.json: methods: expected at least 1 entry',
      's.json: methods: expected one method named "baseline" (the reference every method is compared with)',
    ]);
  });

  it('checks options per loss kind', () => {
    const spec = { ...minimal, methods: [{ name: 'baseline', loss: { kind: 'asymmetric', options: { gamma: 2, clip: 0.05 } } }] };
    expect(problems(() => parseSpec(spec, 's.json'))).toEqual(['s.json: methods[0].loss.options.gamma: not an option of the asymmetric loss (it accepts gammaNeg, gammaPos, clip)']);
  });
});

describe('formatJsonPath', () => {
  it('writes dotted paths with indices and quotes odd keys', () => {
    expect(formatJsonPath(['methods', 1, 'loss', 'kind'])).toBe('methods[1].loss.kind');
    expect(formatJsonPath([])).toBe('(root)');
    expect(formatJsonPath(['dataset', 'options', 'a b'])).toBe('dataset.options["a b"]');
  });
});

describe('loadSpec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skewbench-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and resolves a file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(minimal));
    expect(loadSpec(path).seeds).toEqual([1, 2, 3]);
  });

  it('names the file for a missing file, bad JSON (with line and column) and invalid content', () => {
    expect(problems(() => loadSpec(join(dir, 'none.json')))).toEqual([`${join(dir, 'none.json')}: cannot read the suite spec (no such file)`]);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "name": "a",\n  "skews": [1 2]\n}');
    const [line, ...rest] = problems(() => loadSpec(broken));
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .* at line 3, column 15$`));
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...minimal, model: 'vit' }));
    expect(problems(() => loadSpec(invalid))).toEqual([`${invalid}: model: expected one of "mlp", "cnn", "resnet", or an object { layers: "model.json" } or { module: "model.js" }, got "vit"`]);
  });
});

describe('names shared with the training engine', () => {
  it('lists the same models, losses and backends the engine implements', () => {
    expect([...MODEL_NAMES]).toEqual([...MODEL_KINDS]);
    expect([...LOSS_NAMES]).toEqual([...LOSS_KINDS]);
    expect([...BACKEND_NAMES]).toEqual([...BACKEND_PREFERENCES]);
  });
});

describe('losses and weights', () => {
  it('rejects per-label weights on a loss that does not take them', () => {
    const spec = (kind: string) => ({
      name: 's',
      dataset: { name: 'shapes' },
      skews: ['uniform'],
      methods: [{ name: 'baseline' }, { name: 'm', loss: { kind, weights: 'pos-weight' } }],
    });
    for (const kind of ['focal', 'asymmetric', 'bce']) {
      expect(problems(() => parseSpec(spec(kind), 'x.json'))).toEqual([`x.json: methods[1].loss.weights: the ${kind} loss takes no per-label weights; use kind "weighted-bce"`]);
    }
    expect(parseSpec(spec('weighted-bce'), 'x.json').methods[1].loss!.weights).toEqual({ scheme: 'pos-weight' });
  });
});

describe('skew natural', () => {
  const base = mkdtempSync(join(tmpdir(), 'skewbench-spec-natural-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('is refused at load on data whose frequencies the profile draws, in one line naming the way out', () => {
    const file = join(base, 'natural.json');
    writeFileSync(file, JSON.stringify({ name: 's', dataset: { name: 'shapes' }, skews: ['uniform', 'natural'], methods: [{ name: 'baseline' }], seeds: [1] }));
    expect(problems(() => loadSpec(file))).toEqual([
      `${file}: skews[1]: skew natural needs data with its own label frequencies: the folder dataset (dataset shapes draws its label frequencies from the profile)`,
    ]);
  });
});

describe('folder image shape in a spec', () => {
  const base = mkdtempSync(join(tmpdir(), 'skewbench-spec-shape-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('size together with width is refused at load, naming the option', () => {
    const file = join(base, 'shape.json');
    writeFileSync(file, JSON.stringify({ name: 's', dataset: { name: 'folder', options: { dir: '.', size: 32, width: 40 } }, skews: ['natural'], methods: [{ name: 'baseline' }], seeds: [1] }));
    expect(problems(() => loadSpec(file))).toEqual([`${file}: dataset.options.size: give either size (a square) or height and width, not both`]);
  });
});

describe('folder paths in a spec', () => {
  const base = mkdtempSync(join(tmpdir(), 'skewbench-spec-dir-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('a folder dir that does not exist is an InputError naming the spec file, the JSON path and where it looked', () => {
    const file = join(base, 'suite.json');
    writeFileSync(file, JSON.stringify({ name: 's', dataset: { name: 'folder', options: { dir: 'photos' } }, skews: ['uniform'], methods: [{ name: 'baseline' }], seeds: [1] }));
    expect(() => loadSpec(file)).toThrow(InputError);
    expect(() => loadSpec(file)).toThrow(`${file}: dataset.options.dir: ${join(base, 'photos')} does not exist (a relative path is relative to the spec file)`);
  });
});

describe('model', () => {
  it('is a built-in name (resnet included) or a model of one’s own, freeze defaulting to none and head to the model’s fit', () => {
    expect(MODEL_NAMES).toContain('resnet');
    expect(parseSpec({ ...minimal, model: 'resnet' }, 's.json').model).toBe('resnet');
    expect(parseSpec({ ...minimal, model: { layers: 'm/model.json' } }, 's.json').model).toEqual({ layers: 'm/model.json', freeze: 'none', sha256: '' });
    expect(parseSpec({ ...minimal, model: { module: './b.js', head: 'replace', freeze: 3 } }, 's.json').model).toEqual({ module: './b.js', head: 'replace', freeze: 3, sha256: '' });
    expect(problems(() => parseSpec({ ...minimal, model: { layers: 'm.json', freeze: 'all' } }, 's.json'))).toEqual(['s.json: model.freeze: expected "none", "backbone" or a number of layers, got "all"']);
    expect(problems(() => parseSpec({ ...minimal, model: { layers: 'm.json', weights: 'x' } }, 's.json'))).toEqual(['s.json: model.weights: unknown field']);
    expect(problems(() => parseSpec({ ...minimal, model: {} }, 's.json'))).toEqual(['s.json: model: expected exactly one of layers (a tfjs Layers model.json) or module (an ES module exporting build)']);
  });

  it('loading resolves the path against the spec file and records the file’s SHA-256; a resolved spec parses again as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-spec-model-'));
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential', config: {} } }));
      writeFileSync(join(dir, 'suite.json'), JSON.stringify({ ...minimal, model: { layers: 'model.json', freeze: 'backbone' } }));
      const spec = loadSpec(join(dir, 'suite.json'));
      expect(spec.model).toMatchObject({ layers: join(dir, 'model.json'), freeze: 'backbone' });
      const sha = (spec.model as { sha256: string }).sha256;
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      expect(parseSpec(JSON.parse(JSON.stringify(spec)), 'manifest.json').model).toEqual(spec.model);
      // another file, another hash
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } } }));
      expect((loadSpec(join(dir, 'suite.json')).model as { sha256: string }).sha256).not.toBe(sha);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
