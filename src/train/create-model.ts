import { buildModel, type Model, type ModelOptions, type ModelShape } from './models.js';
import type { ModelSpec } from './names.js';
import { loadOwnModel } from './own-model.js';

/** What builds a model again elsewhere (a training thread's replica): its spec, shape and spec path. */
export interface ModelRecipe {
  spec: ModelSpec;
  shape: ModelShape;
  path: string;
}

const recipes = new WeakMap<Model, ModelRecipe>();

/**
 * The model a suite's `model` names: a built-in one, or one's own loaded from a file or built by a
 * module. `path` is where the spec gives it (`model`, or `methods[1].model`), named in its errors.
 */
export async function createModel(spec: ModelSpec, options: ModelOptions, path = 'model'): Promise<Model> {
  const model = typeof spec === 'string' ? buildModel(spec, options) : await loadOwnModel(spec, options, path);
  const { height, width, channels, labels } = options;
  recipes.set(model, { spec, shape: { height, width, channels, labels }, path });
  return model;
}

/** How `model` was made, when createModel made it: the same topology can be built from this. */
export function recipeOf(model: Model): ModelRecipe | undefined {
  return recipes.get(model);
}
