/*
 * Where `run --save-models` puts each trial's trained model: <out>/models/<trial>/model.json and
 * weights.bin, a tfjs Layers model. The training engine writes them and the results' manifest lists
 * them, so the names live here, where both may read them.
 */

export const SAVED_MODELS_DIR = 'models';
export const SAVED_MODEL_FILES = ['model.json', 'weights.bin'] as const;

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `models/<trial>`, relative to the results folder. */
export function savedModelDir(trial: string): string {
  if (!SAFE_ID.test(trial)) throw new RangeError(`trial id ${JSON.stringify(trial)} cannot name a folder`);
  return `${SAVED_MODELS_DIR}/${trial}`;
}

/** The files of a trial's saved model, relative to the results folder. */
export function savedModelFiles(trial: string): string[] {
  return SAVED_MODEL_FILES.map((name) => `${savedModelDir(trial)}/${name}`);
}
