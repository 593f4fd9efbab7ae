import { buildModel, type Model, type ModelOptions } from './models.js';
import type { ModelSpec } from './names.js';
import { loadOwnModel } from './own-model.js';

/**
 * The model a suite's `model` names: a built-in one, or one's own loaded from a file or built by a
 * module. `path` is where the spec gives it (`model`, or `methods[1].model`), named in its errors.
 */
export async function createModel(spec: ModelSpec, options: ModelOptions, path = 'model'): Promise<Model> {
  if (typeof spec === 'string') return buildModel(spec, options);
  return loadOwnModel(spec, options, path);
}
