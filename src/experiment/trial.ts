import { InputError } from '../errors.js';
import { augment, buildDataset, formatSkew, materialize, parseSkew, rankUnitName, type AugmentationName, type Dataset } from '../data/index.js';
import { planOversampling } from '../labels/oversample.js';
import { samplerDefinition } from '../labels/sampling.js';
import { createRng, type Rng } from '../labels/rng.js';
import { classWeights } from '../labels/weights.js';
import { evaluate } from '../eval/evaluate.js';
import { macroF1At, meanBinaryCrossEntropy } from '../eval/metrics.js';
import { createModel, EarlyStopping, predict, resetHead, saveModel, trainModel, type BackendChoice, type EpochInfo, type Model, type TrainOptions } from '../train/index.js';
import { lossDefinition, type LossSpec } from '../train/losses/registry.js';
import type { EpochRecord, TrialRecord, TrialTimings } from '../records/records.js';
import { savedModelDir } from '../records/saved-models.js';
import { join } from 'node:path';
import { canonicalJson, trialIdentity, type Trial } from './grid.js';
import type { MethodSpec } from './spec.js';

export interface TrialOutcome {
  record: TrialRecord;
  /** Test truth and scores, for `--save-predictions` (absent when the trial failed before predicting). */
  predictions?: { truth: Dataset['test']['labels']; scores: Float32Array };
}

export interface TrialHooks {
  /** Awaited after every epoch: a hook that yields to the event loop lets signals and progress bars through. */
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** Builds the oversampled training set (default `materialize`); the calibration experiment swaps in a faulty one. */
  materialize?: typeof materialize;
  /** Awaited with the trained model once the trial has evaluated it (e.g. to save it), before it is freed. */
  trained?: (model: Model) => void | Promise<void>;
  /** Threads training the model (default: the spec's `train.threads`, else 1); results do not depend on it. */
  threads?: number;
}

/**
 * The seed of everything random in training (initial weights, batch order, oversampling and
 * augmentation draws): the trial's seed, or with `train.seedOffset` a stream forked from it, so the
 * data stay the seed's and only the training draws change.
 */
export function trainingSeed(trial: Pick<Trial, 'seed' | 'train'>): number {
  const offset = trial.train.seedOffset ?? 0;
  return offset === 0 ? trial.seed : createRng(trial.seed).fork(`training:${offset}`).int(0x7fffffff);
}

/** Builds (or reuses) the data of a trial: every method of one dataset / skew / seed gets the same data. */
export type DataSource = (trial: Trial) => Promise<Dataset>;

/**
 * The data of a trial, checked before anything trains on it: its warnings go to `onWarning`, and a
 * test set that cannot measure every label (see `checkTestPositives`) is an InputError.
 */
export async function datasetFor(trial: Trial, onWarning?: (message: string) => void): Promise<Dataset> {
  const dataset = await buildDataset(trial.dataset, parseSkew(trial.skew), trial.seed);
  if (onWarning) for (const w of dataset.warnings) onWarning(w);
  checkTestPositives(dataset, trial.evaluation.minTestPositives);
  if (trial.train.earlyStopping && dataset.val.labels.rows === 0) {
    throw new InputError(`train.earlyStopping watches the validation split, and dataset ${dataset.name} (skew ${formatSkew(dataset.skew)}, seed ${dataset.seed}) has no validation images; remove earlyStopping or give the data a val split`);
  }
  return dataset;
}

/**
 * A label with a handful of test positives has an F1 that can take only a few values (3 positives:
 * recall is 0, ⅓, ⅔ or 1), and with none every metric is 0: a table of such numbers describes the
 * split, not the method. Such a run is refused, naming the scarcest label and the ways out.
 */
export function checkTestPositives(dataset: Dataset, min: number): void {
  const counts = dataset.test.labels.counts();
  const short = Array.from(counts.keys()).filter((l) => counts[l] < min);
  if (short.length === 0) return;
  const worst = short.reduce((a, b) => (counts[b] < counts[a] ? b : a));
  const name = dataset.labels[worst];
  const others = short.length > 1 ? ` (and ${short.length - 1} more label${short.length > 2 ? 's' : ''})` : '';
  // Under skew natural the test split is used as it is: testPerLabel does not apply.
  const ways = dataset.skew.kind === 'natural' ? `add test images of "${name}"` : `raise dataset.options.testPerLabel, add test images of "${name}",`;
  throw new InputError(
    `dataset ${dataset.name} (skew ${formatSkew(dataset.skew)}, seed ${dataset.seed}): label "${name}" has ${counts[worst]} test positives${others}, fewer than evaluation.minTestPositives ${min}; ${ways} or lower evaluation.minTestPositives (0 turns the check off)`,
  );
}

/**
 * A data source that keeps the last data it built: trials run grouped by data key, so each group's
 * data is built (and checked) once, before the group's first trial trains, and only one group's
 * data is held at a time.
 */
export function lastDataCache(onWarning?: (message: string) => void): DataSource {
  let cached: { key: string; data: Promise<Dataset> } | undefined;
  return (trial) => {
    if (cached?.key !== trial.dataKey) cached = { key: trial.dataKey, data: datasetFor(trial, onWarning) };
    return cached.data;
  };
}

/**
 * One trial: data → plan and augment, or weights → train → predict val and test → evaluate. Every
 * phase is timed. A failure (diverging loss, bad option) is caught and recorded as `failed` with its
 * reason, so a suite goes on. Tensors created here are disposed here: tf.memory().numTensors after
 * a trial equals the count before it.
 */
export async function runTrial(trial: Trial, backend: BackendChoice, data: DataSource = (t) => datasetFor(t), hooks: TrialHooks = {}): Promise<TrialOutcome> {
  const timings: TrialTimings = { data: 0, plan: 0, train: 0, predict: 0, evaluate: 0, total: 0 };
  const started = performance.now();
  const record: TrialRecord = {
    ...trialIdentity(trial),
    status: 'failed',
    reason: null,
    backend: backend.name,
    backendVersion: backend.version,
    trainImages: 0,
    epochs: 0,
    steps: 0,
    finalLoss: null,
    imagesPerSecond: null,
    timings,
    summary: null,
    perLabel: [],
  };
  const phase = async <T>(name: keyof TrialTimings, work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[name] += (performance.now() - t) / 1000;
    }
  };

  // The trial's one root stream: each step below draws from its own named fork of it.
  const root = createRng(trainingSeed(trial));
  let predictions: TrialOutcome['predictions'];
  const model = { current: undefined as Model | undefined };
  try {
    const dataset = await phase('data', () => data(trial));
    const { method } = trial;
    const trainSet = await phase('plan', () => {
      if (!method.plan) return dataset.train;
      const plan = planOversampling(dataset.train.labels, method.plan.method, method.plan.options, root);
      const augment = method.plan.augment.filter((a) => dataset.augmentations.includes(a));
      return (hooks.materialize ?? materialize)(dataset.train, plan, augment, root);
    });
    const sampling = method.sampler ? await phase('plan', () => samplerDefinition(method.sampler!.method)!.probabilities(trainSet.labels, method.sampler!.options)) : undefined;
    const loss = lossFor(method, dataset);
    record.trainImages = trainSet.labels.rows;

    const { train } = trial;
    const threads = hooks.threads ?? train.threads ?? 1;
    const batchesPerEpoch = Math.ceil(dataset.train.labels.rows / train.batchSize);
    const budget = train.budget === 'steps' ? { steps: train.epochs * batchesPerEpoch } : { epochs: train.epochs };
    const totalSteps = budget.steps ?? train.epochs * Math.ceil(trainSet.labels.rows / train.batchSize);
    const deferred = deferredLoss(method, loss, totalSteps);
    const online = onlineAugment(method, trainSet, dataset.augmentations, root) ?? {};
    // Each epoch: the training loss, and the validation split's loss and macro-F1 (not timed as training).
    const history: EpochRecord[] = [];
    const epochsBefore = { epoch: 0, step: 0, seconds: 0 };
    let training: 'train' | 'retrain' = 'train';
    const hasVal = dataset.val.labels.rows > 0;
    let stopping: EarlyStopping | undefined;
    const onEpoch = async (info: EpochInfo): Promise<'stop' | undefined> => {
      const started = performance.now();
      const valScores = hasVal ? predict(model.current!, dataset.val, train.batchSize) : null;
      // Validating is predicting: its time moves from the training phase to the predict phase.
      const validating = (performance.now() - started) / 1000;
      timings[training] = (timings[training] ?? 0) - validating;
      timings.predict += validating;
      const entry: EpochRecord = {
        epoch: epochsBefore.epoch + info.epoch,
        step: epochsBefore.step + info.steps,
        loss: info.loss,
        valLoss: valScores ? meanBinaryCrossEntropy(valScores, dataset.val.labels) : null,
        valMacroF1: valScores ? macroF1At(valScores, dataset.val.labels, trial.evaluation.threshold) : null,
        seconds: epochsBefore.seconds + info.seconds,
      };
      history.push(entry);
      await hooks.onEpoch?.(info);
      // Early stopping watches the first stage only; cRT's re-training of the head runs its budget.
      if (stopping && training === 'train') {
        const value = train.earlyStopping!.metric === 'val_loss' ? entry.valLoss : entry.valMacroF1;
        return stopping.observe(value ?? Number.NaN, entry.epoch);
      }
      return undefined;
    };
    const result = await phase('train', async () => {
      model.current = await modelFor(trial, {
        height: trainSet.height,
        width: trainSet.width,
        channels: trainSet.channels,
        labels: trainSet.labels.numLabels,
        seed: root,
      });
      if (train.earlyStopping) {
        const { metric, patience, minDelta, restoreBest } = train.earlyStopping;
        stopping = new EarlyStopping(model.current.variables, { mode: metric === 'val_loss' ? 'min' : 'max', patience, minDelta, restoreBest });
      }
      try {
        const trained = await trainModel(model.current, trainSet, {
          loss,
          ...budget,
          batchSize: train.batchSize,
          learningRate: train.learningRate,
          ...trainingExtras(train),
          threads,
          seed: root,
          onEpoch,
          ...(deferred ? { deferred } : {}),
          ...(sampling ? { sampling } : {}),
          ...online,
        });
        // Tested on the weights of the best validation epoch when early stopping keeps them.
        stopping?.restoreBest();
        return trained;
      } finally {
        stopping?.dispose();
      }
    });
    Object.assign(record, { epochs: result.epochs, steps: result.steps, finalLoss: result.finalLoss, imagesPerSecond: result.imagesPerSecond, history });
    Object.assign(epochsBefore, { epoch: result.epochs, step: result.steps, seconds: result.seconds });
    if (method.crt) {
      // Stage 2 of cRT: the representation stays, the classifier is drawn afresh and re-trained alone
      // with class-balanced sampling.
      const crt = method.crt;
      timings.retrain = 0;
      training = 'retrain';
      const retrained = await phase('retrain', () => {
        resetHead(model.current!, root.fork('crt'));
        return trainModel(model.current!, trainSet, {
          loss,
          steps: crt.steps ?? batchesPerEpoch,
          batchSize: train.batchSize,
          learningRate: train.learningRate,
          ...trainingExtras(train),
          threads,
          seed: root.fork('crt'),
          trainable: model.current!.head,
          sampling: samplerDefinition(crt.sampler)!.probabilities(trainSet.labels, {}),
          // The head sees the images as stage 1 did: augmented online when the method says so.
          ...online,
          onEpoch,
        });
      });
      Object.assign(record, { steps: result.steps + retrained.steps, finalLoss: retrained.finalLoss });
    }

    // At the training batch size, prediction needs no more backend memory than a training step.
    const [valScores, testScores] = await phase('predict', () => [predict(model.current!, dataset.val, train.batchSize), predict(model.current!, dataset.test, train.batchSize)]);
    const evaluation = await phase('evaluate', () =>
      evaluate({
        scores: testScores,
        truth: dataset.test.labels,
        valScores,
        valTruth: dataset.val.labels,
        trainCounts: dataset.train.labels.counts(),
        groups: trial.evaluation.groups,
        threshold: trial.evaluation.threshold,
      }),
    );
    record.summary = evaluation.summary;
    record.perLabel = dataset.rankUnits ? byRank(evaluation.perLabel, dataset.ranks) : evaluation.perLabel;
    // A model that cannot be saved fails the trial (with the reason), like any other step.
    await hooks.trained?.(model.current!);
    record.status = 'ok';
    predictions = { truth: dataset.test.labels, scores: testScores };
  } catch (err) {
    // A bad spec (unknown dataset, impossible skew) is the user's to fix, not a failed trial.
    if (err instanceof InputError) throw err;
    // An interrupt is not a failure of the trial: it stops the run.
    if ((err as Error | undefined)?.name === 'AbortError') throw err;
    record.status = 'failed';
    record.reason = err instanceof Error ? err.message : String(err);
  } finally {
    model.current?.dispose();
    timings.total = (performance.now() - started) / 1000;
  }
  return { record, predictions };
}

/** The optimiser options a spec may add (each absent unless given, so a spec without them trains as before). */
function trainingExtras(train: Trial['train']): Pick<TrainOptions, 'schedule' | 'weightDecay' | 'microBatches'> {
  return {
    ...(train.schedule ? { schedule: train.schedule } : {}),
    ...(train.weightDecay ? { weightDecay: train.weightDecay } : {}),
    ...(train.microBatches ? { microBatches: train.microBatches } : {}),
  };
}

/** `--save-models`: the trial's trained model as a tfjs Layers model in <out>/models/<trial>/. */
export async function saveTrainedModel(out: string, trial: string, model: Model): Promise<void> {
  await saveModel(model, join(out, savedModelDir(trial)));
}

/**
 * Creates (and frees) each distinct model of `trials` once, on the first trial's data (every trial of
 * a suite has the same image shape and labels), so a model that does not load, build or fit stops the
 * run before any of these trials trains — a method's own model too, not only when its turn comes.
 */
export async function checkModels(trials: readonly Trial[], data: DataSource): Promise<void> {
  if (trials.length === 0) return;
  const seen = new Set<string>();
  let dataset: Dataset | undefined;
  for (const trial of trials) {
    const key = canonicalJson(trial.model);
    if (seen.has(key)) continue;
    seen.add(key);
    dataset ??= await data(trials[0]);
    const { height, width, channels } = dataset.train;
    const model = await modelFor(trial, { height, width, channels, labels: dataset.labels.length, seed: 0 });
    model.dispose();
  }
}

/**
 * The trial's model. One that does not load, build or fit the data is the user's to fix: an
 * InputError naming the spec file, raised before anything trains.
 */
async function modelFor(trial: Trial, options: Parameters<typeof createModel>[1]): Promise<Model> {
  try {
    return await createModel(trial.model, options, trial.modelField);
  } catch (err) {
    if (err instanceof InputError && trial.specFile) throw new InputError(`${trial.specFile}: ${err.message}`);
    throw err;
  }
}

/**
 * The training loss of a method: its kind and spec options, flat, plus per-label weights for a kind
 * that takes them, computed from the original (not oversampled) training labels.
 */
export function lossFor(method: MethodSpec, dataset: Pick<Dataset, 'train'>): LossSpec {
  const loss = method.loss;
  if (!loss) return { kind: 'bce' };
  const definition = lossDefinition(loss.kind);
  const labels = dataset.train.labels;
  const prior = definition.prior ? { prior: { counts: Array.from(labels.counts()), images: labels.rows } } : {};
  if (definition.weights === 'none') return { kind: loss.kind, ...loss.options, ...prior } as LossSpec;
  const { scheme, ...options } = loss.weights;
  const w = classWeights(labels, scheme, options);
  return { kind: loss.kind, ...loss.options, ...prior, weights: { pos: w.pos, neg: w.neg } } as LossSpec;
}
/**
 * Online augmentation: image i of the training set in epoch e gets the draw of copy e of source i,
 * fresh every epoch and a pure function of (seed, image, epoch), whatever batch it lands in. Only the
 * augmentations the dataset allows are applied (digits are never flipped).
 */
function onlineAugment(method: MethodSpec, set: Pick<Dataset['train'], 'height' | 'width' | 'channels'>, allowed: readonly AugmentationName[], root: Rng): Pick<TrainOptions, 'transformBatch'> | undefined {
  const kinds = method.augment?.online.filter((a) => allowed.includes(a)) ?? [];
  if (kinds.length === 0) return undefined;
  const stream = root.fork('online-augmentation');
  return {
    transformBatch: (images, rows, epoch) => augment({ images, height: set.height, width: set.width, channels: set.channels }, { sources: rows, copies: new Uint32Array(rows.length).fill(epoch) }, kinds, stream),
  };
}

/**
 * Deferred re-weighting (Cao et al. 2019): with `loss.schedule.from` = f, the first ⌊f · steps⌋
 * steps train with every weight 1 (the plain loss), the rest with the scheme's weights.
 */
export function deferredLoss(method: MethodSpec, loss: LossSpec, totalSteps: number): { fromStep: number; before: LossSpec } | undefined {
  const schedule = method.loss?.schedule;
  if (!schedule || !('weights' in loss) || !loss.weights) return undefined;
  const ones = Array.from(loss.weights.pos, () => 1);
  return { fromStep: Math.floor(schedule.from * totalSteps), before: { ...loss, weights: { pos: ones, neg: ones } } as LossSpec };
}

/** With a per-seed order a label name means a different rarity in every seed: name each row by its rank instead. */
function byRank<T extends { label: string }>(perLabel: readonly T[], ranks: readonly number[]): T[] {
  return ranks.map((label, rank) => ({ ...perLabel[label], label: rankUnitName(rank, ranks.length) }));
}
