import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { NATURAL_NEEDS_OWN_FREQUENCIES, parseSkew } from '../data/skew.js';
import { z } from 'zod';
import { InputError, readFailure } from '../errors.js';
import { PLAN_METHODS, PLANNERS, plannerDefinition, type PlanMethod } from '../labels/oversample.js';
import { SAMPLER_NAMES, SAMPLERS, samplerDefinition, type SamplerName } from '../labels/sampling.js';
import { WEIGHT_SCHEMES } from '../labels/weights.js';
import { DEFAULT_GROUPS } from '../labels/stats.js';
import { DEFAULT_THRESHOLD } from '../eval/evaluate.js';
import { AUGMENTATIONS, type AugmentationName } from '../data/types.js';
import { DATASET_NAMES, datasetSource } from '../data/sources/registry.js';
import { LOSSES, LOSS_KINDS, lossDefinition, type LossKind } from '../train/losses/registry.js';
import { BACKEND_PREFERENCES, HEAD_MODES, MODEL_KINDS, type LayersFileModel, type ModelSpec, type ModuleModel } from '../train/names.js';
import { DEFAULT_STEP_SCHEDULE, SCHEDULE_KINDS, type LearningRateSchedule } from '../train/schedule.js';

/*
 * A suite spec (experiments/*.json) says which data, skews, methods and seeds to compare. The schema
 * resolves every default, so the resolved spec written to the manifest is the whole configuration.
 * The names of datasets, planners, losses, models and backends, and each one's options, come from
 * their registries (none of which loads tfjs or sharp).
 */

export const MODEL_NAMES = MODEL_KINDS;
export const LOSS_NAMES = LOSS_KINDS as [LossKind, ...LossKind[]];
export const BACKEND_NAMES = BACKEND_PREFERENCES;
export const TRAIN_BUDGETS = ['steps', 'epochs'] as const;

/** Names that are safe as file names and CSV cells: suite names become directories. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SAFE_NAME_TEXT = 'a name of letters, digits, ".", "_", "+" or "-" (not starting with a symbol)';
/** `kind` or `kind:number[:number…]`; the dataset module parses the meaning. */
const SKEW_SYNTAX = /^[a-z][a-z0-9-]*(:[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)*$/;

const safeName = z.string().regex(SAFE_NAME, { error: `expected ${SAFE_NAME_TEXT}` });
const positiveInt = z.int().positive();
const positiveNumber = z.number().positive();

function fieldsOf(schema: z.ZodType): Record<string, z.ZodType> {
  return ((schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {});
}

/** The union of several registry entries' option fields (the first entry's schema for a shared name). */
function optionFields(schemas: z.ZodType[]): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = {};
  for (const schema of schemas) for (const [key, field] of Object.entries(fieldsOf(schema))) fields[key] ??= field;
  return fields;
}

function unknownOption(ctx: z.core.$RefinementCtx, key: string, schema: z.ZodType, what: string): void {
  const accepted = Object.keys(fieldsOf(schema));
  if (accepted.includes(key)) return;
  const accepts = accepted.length ? `it accepts ${accepted.join(', ')}` : 'it takes no options';
  ctx.issues.push({ code: 'custom', path: ['options', key], input: key, message: `not an option of ${what} (${accepts})` });
}

const datasetSchema = z.strictObject({
  name: z.string().min(1),
  /** Passed to the dataset builder as given; it validates them. */
  options: z.record(z.string(), z.unknown()).default({}),
});

const fraction = z.number().gt(0).lt(1);

/** A schedule by name (its defaults) or as an object; resolved to the object form. */
const scheduleSchema = z
  .union(
    [
      z.enum(SCHEDULE_KINDS),
      z.strictObject({
        kind: z.enum(SCHEDULE_KINDS),
        /** Linear warm-up over this fraction of the budget. */
        warmup: z.number().min(0).lt(1).optional(),
        /** step: milestones as fractions of the budget, ascending. */
        at: z.array(fraction).min(1).optional(),
        /** step: the factor applied at each milestone. */
        factor: z.number().gt(0).max(1).optional(),
        /** cosine: the last factor. */
        final: z.number().min(0).max(1).optional(),
      }),
    ],
    { error: `expected one of ${SCHEDULE_KINDS.join(', ')}, or an object { kind, warmup?, at?, factor?, final? }` },
  )
  .transform((value, ctx): LearningRateSchedule => {
    const given = typeof value === 'string' ? { kind: value } : value;
    const warmup = given.warmup ? { warmup: given.warmup } : {};
    const misplaced = (key: 'at' | 'factor' | 'final', kinds: string) => {
      if (given[key as keyof typeof given] !== undefined) ctx.issues.push({ code: 'custom', path: [key], input: value, message: `only a ${kinds} schedule takes ${key}` });
    };
    if (given.kind === 'step') {
      misplaced('final', 'cosine');
      const at = given.at ?? [...DEFAULT_STEP_SCHEDULE.at];
      if (at.some((m, i) => i > 0 && m <= at[i - 1])) ctx.issues.push({ code: 'custom', path: ['at'], input: at, message: `expected ascending fractions of the budget, got ${JSON.stringify(at)}` });
      return { kind: 'step', at, factor: given.factor ?? DEFAULT_STEP_SCHEDULE.factor, ...warmup };
    }
    misplaced('at', 'step');
    misplaced('factor', 'step');
    if (given.kind === 'cosine') return { kind: 'cosine', final: given.final ?? 0, ...warmup };
    misplaced('final', 'cosine');
    return { kind: 'constant', ...warmup };
  });

export const EARLY_STOPPING_METRICS = ['val_loss', 'val_macro_f1'] as const;

const earlyStoppingSchema = z.strictObject({
  /** Watched after every epoch on the validation split: the loss falls, macro-F1 rises. */
  metric: z.enum(EARLY_STOPPING_METRICS).default('val_loss'),
  /** Epochs without an improvement of more than minDelta before training stops. */
  patience: positiveInt.default(2),
  minDelta: z.number().min(0).default(0),
  /** Put back the weights of the best epoch when training ends. */
  restoreBest: z.boolean().default(true),
});

const trainSchema = z.strictObject({
  /** `steps`: every method gets the optimiser steps the baseline needs, so oversampling buys no compute. */
  budget: z.enum(TRAIN_BUDGETS).default('steps'),
  epochs: positiveInt.default(5),
  batchSize: positiveInt.default(64),
  learningRate: positiveNumber.default(1e-3),
  /** Absent: the runner's choice (command-line flag, else automatic). */
  backend: z.enum(BACKEND_NAMES).optional(),
  /**
   * Threads training one trial (data-parallel over micro-batches); absent: the runner's choice
   * (`--threads`, else the cores the trial workers leave). Never changes a result, so not in the trial id.
   */
  threads: positiveInt.optional(),
  /**
   * Changes the training randomness alone (initial weights, batch order, oversampling and
   * augmentation draws) while the data stay those of the seed; absent or 0 is the seed's own draw.
   */
  seedOffset: z.int().min(0).max(0xffff).optional(),
  /*
   * The fields below are absent unless given (absent = today's behaviour), so a spec without them
   * keeps its trial ids.
   */
  /** Learning-rate schedule over the step budget: absent is constant. */
  schedule: scheduleSchema.optional(),
  /** AdamW's decoupled weight decay; absent is 0 (Adam). */
  weightDecay: z.number().min(0).lt(1).optional(),
  /** Stop when the validation metric stops improving; absent trains the whole budget. */
  earlyStopping: earlyStoppingSchema.optional(),
  /**
   * Micro-batches per batch, whose gradients are summed in order (absent: 2, or 1 for the mlp). Results do not depend
   * on the number of threads, only on this; more threads than micro-batches leave some idle.
   */
  microBatches: positiveInt.optional(),
});

const planSchema = z.strictObject({
  method: z.enum(PLAN_METHODS as [PlanMethod, ...PlanMethod[]]),
  /** Every planner's option fields; the transform below rejects those the chosen planner does not read. */
  options: z.strictObject(optionFields(PLANNERS.map((p) => p.options))).default({}),
  /** Augmentations applied to the duplicated images (never to the originals). */
  augment: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).default([]),
}).transform((plan, ctx) => {
  const planner = plannerDefinition(plan.method)!;
  for (const key of Object.keys(plan.options)) unknownOption(ctx, key, planner.options, `the ${planner.name} planner`);
  return plan;
});

const weightsSchema = z.strictObject({
  scheme: z.enum(WEIGHT_SCHEMES),
  normalize: z.enum(['none', 'mean']).optional(),
  clip: positiveNumber.optional(),
  beta: z.number().min(0).lt(1).optional(),
});

const lossSchema = z
  .strictObject({
    kind: z.enum(LOSS_NAMES),
    /** A scheme name, or { scheme, normalize, clip, beta }; resolved to the object form. */
    weights: z
      .union([z.enum(WEIGHT_SCHEMES), weightsSchema], { error: `expected one of ${WEIGHT_SCHEMES.join(', ')}, or an object { scheme, normalize?, clip?, beta? }` })
      .optional(),
    /** Every loss's option fields; the transform below rejects those the chosen loss does not read. */
    options: z.strictObject(optionFields(LOSSES.map((l) => l.options))).default({}),
    /**
     * Deferred re-weighting (Cao et al. 2019): the weights apply from this fraction of the training
     * budget on; before it every weight is 1.
     */
    schedule: z.strictObject({ from: z.number().min(0).lt(1) }).optional(),
  })
  .transform((loss, ctx) => {
    const weights = loss.weights === undefined ? { scheme: 'none' as const } : typeof loss.weights === 'string' ? { scheme: loss.weights } : loss.weights;
    const definition = lossDefinition(loss.kind);
    if (definition.weights === 'required' && weights.scheme === 'none') {
      ctx.issues.push({ code: 'custom', path: ['weights'], input: loss.weights, message: `${loss.kind} needs a weights scheme other than none (one of ${WEIGHT_SCHEMES.filter((s) => s !== 'none').join(', ')})` });
    }
    if (definition.weights === 'none' && weights.scheme !== 'none') {
      const weighted = LOSS_KINDS.filter((k) => lossDefinition(k).weights === 'required');
      ctx.issues.push({ code: 'custom', path: ['weights'], input: loss.weights, message: `the ${loss.kind} loss takes no per-label weights; use kind ${weighted.map((k) => `"${k}"`).join(' or ')}` });
    }
    for (const key of Object.keys(loss.options)) unknownOption(ctx, key, definition.options, `the ${loss.kind} loss`);
    if (loss.schedule && definition.weights !== 'required') {
      const weighted = LOSS_KINDS.filter((k) => lossDefinition(k).weights === 'required');
      ctx.issues.push({ code: 'custom', path: ['schedule'], input: loss.schedule, message: `only per-label weights can be deferred, and the ${loss.kind} loss takes none; use kind ${weighted.map((k) => `"${k}"`).join(' or ')}` });
    }
    return { kind: loss.kind, weights, options: loss.options, ...(loss.schedule ? { schedule: loss.schedule } : {}) };
  });

/** Online resampling: each epoch's images drawn with per-image probabilities instead of copies. */
const samplerSchema = z
  .strictObject({
    method: z.enum(SAMPLER_NAMES as [SamplerName, ...SamplerName[]]),
    /** Every sampler's option fields; the transform below rejects those the chosen sampler does not read. */
    options: z.strictObject(optionFields(SAMPLERS.map((s) => s.options))).default({}),
  })
  .transform((sampler, ctx) => {
    const definition = samplerDefinition(sampler.method)!;
    for (const key of Object.keys(sampler.options)) unknownOption(ctx, key, definition.options, `the ${definition.name} sampler`);
    return sampler;
  });

/**
 * A model of one's own: `layers` (a tfjs Layers model.json) or `module` (an ES module exporting
 * `build`), with what becomes of its classifier and which layers stay frozen. The file's SHA-256 is
 * added when the spec is loaded (see resolvePaths).
 */
const ownModelSchema = z
  .strictObject({
    layers: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    head: z.enum(HEAD_MODES).optional(),
    freeze: z.union([z.enum(['none', 'backbone']), z.int().min(0)], { error: 'expected "none", "backbone" or a number of layers' }).default('none'),
    /** `false`: the file's topology with every weight drawn from the seeded RNG (training from scratch). */
    pretrained: z.boolean().optional(),
    /** Recorded in a resolved spec (a manifest's); loading a spec file computes it afresh. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .transform((model, ctx): LayersFileModel | ModuleModel => {
    const { layers, module, sha256: _recorded, ...options } = model;
    if ((layers === undefined) === (module === undefined)) {
      ctx.issues.push({ code: 'custom', path: [], input: model, message: 'expected exactly one of layers (a tfjs Layers model.json) or module (an ES module exporting build)' });
    }
    if (module !== undefined && options.pretrained !== undefined) {
      ctx.issues.push({ code: 'custom', path: ['pretrained'], input: options.pretrained, message: 'only a layers model has weights to load; a module’s model is always drawn from the seed' });
    }
    const sha256 = _recorded ?? '';
    return layers !== undefined ? { layers, ...options, sha256 } : { module: module ?? '', ...options, sha256 };
  });

const modelSchema = z.union([z.enum(MODEL_NAMES), ownModelSchema], {
  error: `expected one of ${MODEL_NAMES.map((m) => `"${m}"`).join(', ')}, or an object { layers: "model.json" } or { module: "model.js" }`,
});

const methodSchema = z
  .strictObject({
    name: safeName,
    plan: planSchema.optional(),
    sampler: samplerSchema.optional(),
    /**
     * Decoupled classifier re-training (Kang et al. 2020): after training, the classifier is drawn afresh
     * and re-trained alone for `steps` (default: one epoch of the training set) with `sampler` (class-aware).
     */
    crt: z
      .strictObject({
        steps: positiveInt.optional(),
        sampler: z.enum(SAMPLER_NAMES as [SamplerName, ...SamplerName[]]).default('class-aware'),
      })
      .optional(),
    /** Online augmentation: every training image is augmented afresh in every epoch (the baseline too). */
    augment: z.strictObject({ online: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).min(1) }).optional(),
    loss: lossSchema.optional(),
    /**
     * This method's model instead of the suite's: e.g. one backbone trained from scratch, as a linear
     * probe and fine-tuned, compared paired by seed on the same data. Absent: the suite's model.
     */
    model: modelSchema.optional(),
  })
  .transform((method, ctx) => {
    if (method.plan && method.sampler) {
      ctx.issues.push({ code: 'custom', path: ['sampler'], input: method.sampler, message: 'a method resamples either with copies (plan) or online (sampler), not both' });
    }
    if (method.crt && (method.plan || method.sampler)) {
      ctx.issues.push({ code: 'custom', path: ['crt'], input: method.crt, message: 'cRT re-balances in its second stage: its first stage trains on the data as it is (no plan or sampler)' });
    }
    return method;
  });

export const DEFAULT_SEED_COUNT = 3;
export const DEFAULT_MIN_TEST_POSITIVES = 5;

const suiteSchema = z
  .strictObject({
    name: safeName,
    description: z.string().optional(),
    dataset: datasetSchema,
    skews: z.array(z.string().regex(SKEW_SYNTAX, { error: 'expected a skew like exponential:50, pareto:20, step:0.3:20 or uniform' })).min(1),
    model: modelSchema.default('cnn'),
    train: trainSchema.default(() => trainSchema.parse({})),
    methods: z.array(methodSchema).min(1),
    /** A list of seeds, or a count n meaning seeds 1…n. */
    seeds: z
      .union([z.array(z.int().min(0).max(0xffffffff)).min(1), positiveInt], { error: 'expected a non-empty list of integer seeds or a positive count' })
      .default(DEFAULT_SEED_COUNT),
    evaluation: z
      .strictObject({
        groups: z.strictObject({ head: z.int().min(0).default(DEFAULT_GROUPS.head), tail: z.int().min(0).default(DEFAULT_GROUPS.tail) }).default({ ...DEFAULT_GROUPS }),
        threshold: z.number().gt(0).lt(1).default(DEFAULT_THRESHOLD),
        /** A label with fewer test positives stops the run before training: its F1 could take only a few values. */
        minTestPositives: z.int().min(0).default(DEFAULT_MIN_TEST_POSITIVES),
      })
      .default({ groups: { ...DEFAULT_GROUPS }, threshold: DEFAULT_THRESHOLD, minTestPositives: DEFAULT_MIN_TEST_POSITIVES }),
  })
  .transform((spec) => ({
    ...spec,
    seeds: Array.isArray(spec.seeds) ? spec.seeds : Array.from({ length: spec.seeds }, (_, i) => i + 1),
  }));

/** A suite spec as written (defaults optional). */
export type SuiteSpecInput = z.input<typeof suiteSchema>;
/** A suite spec with every default filled in and `seeds` as a list. */
export type ResolvedSpec = z.output<typeof suiteSchema>;
export type MethodSpec = ResolvedSpec['methods'][number];
export type PlanSpec = NonNullable<MethodSpec['plan']>;
export type LossConfig = NonNullable<MethodSpec['loss']>;
export type TrainSpec = ResolvedSpec['train'];
export type EarlyStoppingSpec = NonNullable<TrainSpec['earlyStopping']>;
export type { DatasetSpec } from '../data/build.js';
export type EvaluationSpec = ResolvedSpec['evaluation'];

/** `methods[1].loss.kind`; `(root)` for the spec itself. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  return String(v);
}

const TYPE_WORDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
};

interface Problem {
  path: PropertyKey[];
  message: string;
}

/** zod issues → one plain sentence each, with the JSON path it concerns. */
function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: PropertyKey[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const value = valueAt(input, path);
    const missing = value === undefined;
    switch (issue.code) {
      case 'invalid_type': {
        const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
        problems.push({ path, message: missing ? `required: expected ${expected}` : `expected ${expected}, got ${describeValue(value)}` });
        break;
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const expected = issue.values.length === 1 ? options : `one of ${options}`;
        problems.push({ path, message: missing ? `required: expected ${expected}` : `expected ${expected}, got ${describeValue(value)}` });
        break;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys) problems.push({ path: [...path, key], message: 'unknown field' });
        break;
      case 'too_small': {
        const min = Number(issue.minimum);
        const message =
          issue.origin === 'array' ? `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}`
          : issue.origin === 'string' ? 'expected a non-empty string'
          : `expected a number ${issue.inclusive ? '≥' : '>'} ${min}, got ${describeValue(value)}`;
        problems.push({ path, message });
        break;
      }
      case 'too_big': {
        const max = Number(issue.maximum);
        problems.push({ path, message: `expected a number ${issue.inclusive ? '≤' : '<'} ${max}, got ${describeValue(value)}` });
        break;
      }
      case 'invalid_union': {
        // Report the branch whose type matched (its errors are the informative ones), else the union's message.
        const matched = issue.errors.filter((branch) => !branch.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')));
        if (matched.length === 1) problems.push(...describeIssues(matched[0], input, path));
        else problems.push({ path, message: missing ? `required: ${issue.message}` : `${issue.message}, got ${describeValue(value)}` });
        break;
      }
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/**
 * Validate a parsed spec and resolve its defaults. `source` names the file in messages. Throws an
 * `InputError` with one line per problem: `<source>: <json path>: <what was expected>`.
 */
export function parseSpec(json: unknown, source: string): ResolvedSpec {
  const result = suiteSchema.safeParse(json);
  const problems = [...(result.success ? [] : describeIssues(result.error.issues, json)), ...crossFieldProblems(json)];
  if (result.success && problems.length === 0) return result.data;
  const lines = problems.map((p) => `${source}: ${formatJsonPath(p.path)}: ${p.message}`);
  throw new InputError([...new Set(lines)].join('\n'));
}

/**
 * Checks that span several fields. They read the raw JSON defensively, so they are reported
 * together with the field errors instead of only after those are fixed.
 */
function crossFieldProblems(json: unknown): Problem[] {
  const problems: Problem[] = [];
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return problems;
  const spec = json as Record<string, unknown>;
  const duplicates = (key: string, what: string) => {
    const list = spec[key];
    if (!Array.isArray(list)) return;
    const seen = new Map<unknown, number>();
    list.forEach((value, i) => {
      if (typeof value !== 'string' && typeof value !== 'number') return;
      if (seen.has(value)) problems.push({ path: [key, i], message: `duplicate ${what} ${JSON.stringify(value)} (also ${key}[${seen.get(value)}])` });
      else seen.set(value, i);
    });
  };
  duplicates('skews', 'skew');
  duplicates('seeds', 'seed');
  if (Array.isArray(spec.methods)) {
    const seen = new Map<string, number>();
    spec.methods.forEach((method, i) => {
      const name = (method as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      if (seen.has(name)) problems.push({ path: ['methods', i, 'name'], message: `duplicate method name "${name}" (also methods[${seen.get(name)}])` });
      else seen.set(name, i);
    });
    if (!seen.has('baseline')) problems.push({ path: ['methods'], message: 'expected one method named "baseline" (the reference every method is compared with)' });
  }
  const groups = (spec.evaluation as { groups?: { head?: unknown; tail?: unknown } } | undefined)?.groups;
  const head = groups?.head ?? DEFAULT_GROUPS.head;
  const tail = groups?.tail ?? DEFAULT_GROUPS.tail;
  if (typeof head === 'number' && typeof tail === 'number' && tail > head) {
    problems.push({ path: ['evaluation', 'groups'], message: `expected tail ≤ head, got head ${head}, tail ${tail}` });
  }
  return problems;
}

/**
 * A dataset's name and options are checked against its source's schema, so a typo is found when the
 * spec is read, not when the first trial builds its data.
 */
function datasetProblems(spec: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const check = (schema: z.ZodType, options: unknown, path: PropertyKey[], what: string, accepted: string[]): void => {
    if (options === undefined || options === null || typeof options !== 'object' || Array.isArray(options)) return;
    const result = schema.safeParse(options);
    if (result.success) return;
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const accepts = accepted.length ? `it accepts ${accepted.join(', ')}` : 'it takes no options';
        for (const key of issue.keys) problems.push({ path: [...path, ...issue.path, key], message: `not an option of ${what} (${accepts})` });
      } else problems.push(...describeIssues([issue], spec, path));
    }
  };
  const dataset = spec.dataset as { name?: unknown; options?: unknown } | undefined;
  if (dataset && typeof dataset === 'object' && typeof dataset.name === 'string') {
    const source = datasetSource(dataset.name);
    if (!source) problems.push({ path: ['dataset', 'name'], message: `expected one of ${DATASET_NAMES.map((n) => JSON.stringify(n)).join(', ')}, got ${describeValue(dataset.name)}` });
    else check(source.options, dataset.options ?? {}, ['dataset', 'options'], `the ${source.name} dataset`, Object.keys(fieldsOf(source.options)));
  }
  return problems;
}

/** Read, validate and resolve a suite spec file, its dataset's name and options included. */
export function loadSpec(path: string): ResolvedSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw readFailure(path, 'the suite spec', err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON: ${jsonErrorWhere(text, (err as Error).message)}`);
  }
  const spec = parseSpec(json, path);
  const problems = [...datasetProblems(json as Record<string, unknown>), ...skewProblems(spec)];
  if (problems.length > 0) throw new InputError(problems.map((p) => `${path}: ${formatJsonPath(p.path)}: ${p.message}`).join('\n'));
  return resolvePaths(spec, path);
}

/** Every skew is parsed when the spec is read, not when its first trial starts. */
function skewProblems(spec: ResolvedSpec): Problem[] {
  const problems: Problem[] = [];
  spec.skews.forEach((skew, i) => {
    try {
      if (parseSkew(skew).kind === 'natural' && !datasetSource(spec.dataset.name)?.naturalFrequencies) {
        problems.push({ path: ['skews', i], message: `${NATURAL_NEEDS_OWN_FREQUENCIES} (dataset ${spec.dataset.name} draws its label frequencies from the profile)` });
      }
    } catch (err) {
      problems.push({ path: ['skews', i], message: (err as Error).message.replace(/^.*?: /, '') });
    }
  });
  return problems;
}

/**
 * Relative file paths in dataset options (a folder's `dir` and `labels`) are relative to the spec
 * file, not to wherever the command runs; they are resolved here, once, and checked to exist.
 */
function resolvePaths(spec: ResolvedSpec, file: string): ResolvedSpec {
  const base = dirname(resolve(file));
  const model = resolveModelPath(spec.model, file, base, 'model');
  const methods = spec.methods.map((m, i) => (m.model === undefined ? m : { ...m, model: resolveModelPath(m.model, file, base, `methods[${i}].model`) }));
  const options = { ...spec.dataset.options };
  for (const key of ['dir', 'labels'] as const) {
    const value = options[key];
    if (typeof value !== 'string') continue;
    const absolute = isAbsolute(value) ? value : resolve(base, value);
    if (!existsSync(absolute)) throw new InputError(`${file}: dataset.options.${key}: ${absolute} does not exist (a relative path is relative to the spec file)`);
    options[key] = absolute;
  }
  return { ...spec, model, methods, dataset: { ...spec.dataset, options } };
}

/**
 * A model file is resolved like a dataset path, checked to exist, and for `layers` to be a tfjs
 * Layers model.json whose weight files exist; its SHA-256 (model.json and weight files, or the
 * module file) becomes part of the model, so a changed file changes the trial's identity. Whether
 * it loads, builds and fits the data is checked when a trial creates it, before training.
 */
function resolveModelPath(model: ModelSpec, file: string, base: string, path: string): ModelSpec {
  if (typeof model === 'string') return model;
  const field = 'layers' in model ? 'layers' : 'module';
  const given = 'layers' in model ? model.layers : model.module;
  const absolute = isAbsolute(given) ? given : resolve(base, given);
  const fail = (message: string): never => {
    throw new InputError(`${file}: ${path}.${field}: ${message}`);
  };
  if (!existsSync(absolute)) fail(`${absolute} does not exist (a relative path is relative to the spec file)`);
  const hash = createHash('sha256');
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (err) {
    return fail(`${absolute}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  hash.update(bytes);
  if (field === 'layers') {
    let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths?: unknown }> };
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return fail(`${absolute}: not a tfjs Layers model (not JSON: ${(err as Error).message.split('\n')[0]})`);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json) || !json.modelTopology || typeof json.modelTopology !== 'object') {
      fail(`${absolute}: not a tfjs Layers model (no modelTopology; a tfjs Layers model.json is what model.save("file://…") or tensorflowjs_converter writes)`);
    }
    const paths = (Array.isArray(json.weightsManifest) ? json.weightsManifest : []).flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
    for (const p of paths) {
      const weights = resolve(dirname(absolute), String(p));
      if (!existsSync(weights)) fail(`${absolute}: its weight file ${weights} does not exist`);
      hash.update(readFileSync(weights));
    }
  }
  const sha256 = hash.digest('hex');
  return field === 'layers' ? { ...(model as LayersFileModel), layers: absolute, sha256 } : { ...(model as ModuleModel), module: absolute, sha256 };
}

/** Node reports JSON errors by character position; people look for a line and column. */
function jsonErrorWhere(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  // Some messages quote the text around the error, newlines included; the report stays one line.
  if (!match) return message.replace(/\s*\n\s*/g, ' ');
  const pos = Number(match[1]);
  const before = text.slice(0, pos).split('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
