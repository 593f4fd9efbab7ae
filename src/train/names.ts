/*
 * The names of the models and backends, in a module of their own: spec validation and the CLI list
 * them without loading tfjs.
 */

/** The built-in models. */
export const MODEL_KINDS = ['mlp', 'cnn', 'resnet'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What becomes of a loaded model's classifier: drawn afresh for the labels, or kept as it is. */
export const HEAD_MODES = ['replace', 'keep'] as const;
export type HeadMode = (typeof HEAD_MODES)[number];

/** Layers that do not train: none, all but the classifier (a linear probe), or the first N. */
export type FreezeMode = 'none' | 'backbone' | number;

/** Options shared by the two kinds of a model of one's own. */
export interface OwnModelOptions {
  /** Absent: replace when the model's output width differs from the label count, else keep. */
  head?: HeadMode;
  freeze: FreezeMode;
  /** SHA-256 of the file(s) the model comes from, so a changed file changes the trial's identity. */
  sha256: string;
}

/** A tfjs Layers model saved as model.json (+ weights); `layers` is an absolute path once resolved. */
export interface LayersFileModel extends OwnModelOptions {
  layers: string;
  /** false: the file's topology, every weight drawn from the seed (from scratch); absent or true: its weights. */
  pretrained?: boolean;
}

/** An ES module exporting `build({ height, width, channels, labels, seed, tf })`; `module` absolute once resolved. */
export interface ModuleModel extends OwnModelOptions {
  module: string;
}

/** A suite's `model`: a built-in kind or a model of one's own. */
export type ModelSpec = ModelKind | LayersFileModel | ModuleModel;

/** How results name a model: the kind, or `layers:<file>` / `module:<file>`. */
export function modelName(model: ModelSpec): string {
  if (typeof model === 'string') return model;
  const path = 'layers' in model ? model.layers : model.module;
  const base = path.split(/[\\/]/).pop() ?? path;
  return `${'layers' in model ? 'layers' : 'module'}:${base}`;
}

export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
