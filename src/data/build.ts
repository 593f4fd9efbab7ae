import { InputError } from '../errors.js';
import { createRng } from '../labels/rng.js';
import { trialDataFingerprint } from './fingerprint.js';
import type { SkewProfile } from './skew.js';
import { DATASET_NAMES, DATASET_SOURCES, datasetSource, type Dataset, type DatasetSource } from './sources/registry.js';

export { subsampleToProfile } from './profile.js';
export { DATASET_NAMES, DATASET_SOURCES, datasetSource, type Dataset, type DatasetSource };

/** A dataset as an experiment spec names it. */
export interface DatasetSpec {
  name: string;
  options?: Record<string, unknown>;
}

/** Every dataset `buildDataset` knows, by name. */
export const DATASETS: Readonly<Record<string, DatasetSource>> = Object.fromEntries(DATASET_SOURCES.map((s) => [s.name, s]));

/**
 * Resolves a dataset's options against its source's schema (defaults filled in). Throws an
 * InputError naming the dataset and option path.
 */
export function resolveDatasetOptions(spec: DatasetSpec): unknown {
  const source = datasetSource(spec.name);
  if (!source) throw new InputError(`unknown dataset "${spec.name}" (expected one of ${DATASET_NAMES.join(', ')})`);
  const result = source.options.safeParse(spec.options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = ['options', ...issue.path.map(String)].join('.');
  throw new InputError(`dataset "${spec.name}": ${path}: ${issue.message}`);
}

/**
 * Builds a dataset's seeded, skewed train / val / test sets. The same spec, skew and seed give
 * byte-identical sets; every random choice hangs off `seed` and the dataset name.
 */
export async function buildDataset(spec: DatasetSpec, skew: SkewProfile, seed: number): Promise<Dataset> {
  const options = resolveDatasetOptions(spec);
  if (!Number.isInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  // The data hangs off the trial seed's root stream like every other step (it is built once per
  // data key, shared by the methods of one skew and seed).
  const rng = createRng(seed).fork(`dataset:${spec.name}`);
  const built = await datasetSource(spec.name)!.build(options, skew, rng, spec.name);
  return { name: spec.name, skew, seed, ...built };
}

/**
 * The fingerprint of the data a trial of this dataset, skew and seed trains and is tested on,
 * computed without building it (see data/fingerprint.ts).
 */
export function datasetFingerprint(spec: DatasetSpec): { source: string; of: (skew: string, seed: number) => string } {
  const options = resolveDatasetOptions(spec);
  const source = datasetSource(spec.name)!.fingerprint(options);
  return { source, of: (skew, seed) => trialDataFingerprint(source, skew, seed) };
}

/**
 * Per split, per label, the images of data whose split is its own (a folder), read without decoding;
 * null for data drawn from balanced pools. A folder that cannot be split (a label without test
 * images) is an InputError here, before anything is built.
 */
export function datasetSplitCounts(spec: DatasetSpec): Record<'train' | 'val' | 'test', Record<string, number>> | null {
  const options = resolveDatasetOptions(spec);
  return datasetSource(spec.name)!.splitCounts?.(options) ?? null;
}

/** The name results show for a dataset spec: a folder's own name, else the source's. */
export function datasetDisplayName(spec: DatasetSpec): string {
  const source = datasetSource(spec.name);
  if (!source?.displayName) return spec.name;
  try {
    return source.displayName(source.options.parse(spec.options ?? {}));
  } catch {
    return spec.name; // bad options are reported where they are resolved
  }
}
