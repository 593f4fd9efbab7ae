import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { PLAN_METHODS, type PlanMethod } from '../labels/oversample.js';
import { WEIGHT_SCHEMES } from '../labels/weights.js';
import { AUGMENTATIONS, type AugmentationName } from '../data/types.js';

/*
 * A suite spec (experiments/*.json) says which data, skews, methods and seeds to compare. The schema
 * resolves every default, so the resolved spec written to the manifest is the whole configuration.
 *
 * The model, loss and backend names are the training engine's; they are listed here rather than
 * imported so that reading a spec never loads tfjs (a test keeps the lists in step).
 */

export const MODEL_NAMES = ['mlp', 'cnn'] as const;
export const LOSS_NAMES = ['bce', 'weighted-bce', 'focal', 'asymmetric'] as const;
export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const TRAIN_BUDGETS = ['steps', 'epochs'] as const;

/** Names that are safe as file names and CSV cells: suite names become directories. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SAFE_NAME_TEXT = 'a name of letters, digits, ".", "_", "+" or "-" (not starting with a symbol)';
/** `kind` or `kind:number[:number…]`; the dataset module parses the meaning. */
const SKEW_SYNTAX = /^[a-z][a-z0-9-]*(:[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)*$/;

const safeName = z.string().regex(SAFE_NAME, { error: `expected ${SAFE_NAME_TEXT}` });
const positiveInt = z.int().positive();
const positiveNumber = z.number().positive();

const datasetSchema = z.strictObject({
  name: z.string().min(1),
  /** Passed to the dataset builder as given; it validates them. */
  options: z.record(z.string(), z.unknown()).default({}),
});

const trainSchema = z.strictObject({
  /** `steps`: every method gets the optimiser steps the baseline needs, so oversampling buys no compute. */
  budget: z.enum(TRAIN_BUDGETS).default('steps'),
  epochs: positiveInt.default(5),
  batchSize: positiveInt.default(64),
  learningRate: positiveNumber.default(1e-3),
  /** Absent: the runner's choice (command-line flag, else automatic). */
  backend: z.enum(BACKEND_NAMES).optional(),
});

const planSchema = z.strictObject({
  method: z.enum(PLAN_METHODS as [PlanMethod, ...PlanMethod[]]),
  options: z
    .strictObject({
      target: z.union([z.enum(['max', 'mean', 'median']), positiveNumber], { error: 'expected "max", "mean", "median" or a positive number' }).optional(),
      maxGrowth: z.number().min(1).optional(),
      percent: positiveNumber.optional(),
      threshold: positiveNumber.optional(),
    })
    .default({}),
  /** Augmentations applied to the duplicated images (never to the originals). */
  augment: z.array(z.enum(AUGMENTATIONS as [AugmentationName, ...AugmentationName[]])).default([]),
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
    options: z
      .strictObject({
        gamma: z.number().min(0).optional(),
        alpha: z.number().min(0).max(1).optional(),
        gammaNeg: z.number().min(0).optional(),
        gammaPos: z.number().min(0).optional(),
        clip: z.number().min(0).lt(1).optional(),
      })
      .default({}),
  })
  .transform((loss, ctx) => {
    const weights = loss.weights === undefined ? { scheme: 'none' as const } : typeof loss.weights === 'string' ? { scheme: loss.weights } : loss.weights;
    if (loss.kind === 'weighted-bce' && weights.scheme === 'none') {
      ctx.issues.push({ code: 'custom', path: ['weights'], input: loss.weights, message: `weighted-bce needs a weights scheme other than none (one of ${WEIGHT_SCHEMES.filter((s) => s !== 'none').join(', ')})` });
    }
    if ((loss.kind === 'bce' || loss.kind === 'focal' || loss.kind === 'asymmetric') && weights.scheme !== 'none') {
      ctx.issues.push({ code: 'custom', path: ['weights'], input: loss.weights, message: `the ${loss.kind} loss takes no per-label weights; use kind "weighted-bce"` });
    }
    const allowed: Record<(typeof LOSS_NAMES)[number], string[]> = { bce: [], 'weighted-bce': [], focal: ['gamma', 'alpha'], asymmetric: ['gammaNeg', 'gammaPos', 'clip'] };
    for (const key of Object.keys(loss.options)) {
      if (!allowed[loss.kind].includes(key)) {
        const accepted = allowed[loss.kind].length ? `it accepts ${allowed[loss.kind].join(', ')}` : 'it takes no options';
        ctx.issues.push({ code: 'custom', path: ['options', key], input: key, message: `not an option of the ${loss.kind} loss (${accepted})` });
      }
    }
    return { kind: loss.kind, weights, options: loss.options };
  });

const methodSchema = z.strictObject({
  name: safeName,
  plan: planSchema.optional(),
  loss: lossSchema.optional(),
});

export const DEFAULT_SEED_COUNT = 3;

const suiteSchema = z
  .strictObject({
    name: safeName,
    description: z.string().optional(),
    dataset: datasetSchema,
    skews: z.array(z.string().regex(SKEW_SYNTAX, { error: 'expected a skew like exponential:50, pareto:20, step:0.3:20 or uniform' })).min(1),
    model: z.enum(MODEL_NAMES).default('cnn'),
    train: trainSchema.default(() => trainSchema.parse({})),
    methods: z.array(methodSchema).min(1),
    /** A list of seeds, or a count n meaning seeds 1…n. */
    seeds: z
      .union([z.array(z.int().min(0).max(0xffffffff)).min(1), positiveInt], { error: 'expected a non-empty list of integer seeds or a positive count' })
      .default(DEFAULT_SEED_COUNT),
    evaluation: z
      .strictObject({
        groups: z.strictObject({ head: z.int().min(0).default(100), tail: z.int().min(0).default(20) }).default({ head: 100, tail: 20 }),
        threshold: z.number().gt(0).lt(1).default(0.5),
      })
      .default({ groups: { head: 100, tail: 20 }, threshold: 0.5 }),
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
export type DatasetSpec = ResolvedSpec['dataset'];
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
  const head = groups?.head ?? 100;
  const tail = groups?.tail ?? 20;
  if (typeof head === 'number' && typeof tail === 'number' && tail > head) {
    problems.push({ path: ['evaluation', 'groups'], message: `expected tail ≤ head, got head ${head}, tail ${tail}` });
  }
  return problems;
}

/** Read, validate and resolve a suite spec file. */
export function loadSpec(path: string): ResolvedSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the suite spec (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON: ${jsonErrorWhere(text, (err as Error).message)}`);
  }
  return parseSpec(json, path);
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
