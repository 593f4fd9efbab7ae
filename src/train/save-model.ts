import { MODEL_JSON, modelFiles, WEIGHTS_BIN } from './model-files.js';
import type { Model } from './models.js';

/**
 * Writes `model` as a tfjs Layers model, model.json + weights.bin, into `dir`: the same network and
 * weights, its last Dense layer with a sigmoid, so `tf.loadLayersModel(modelFiles(dir))` then
 * `predict` gives the scores skewbench's `predict` gives. Returns the paths written.
 */
export async function saveModel(model: Model, dir: string): Promise<string[]> {
  const exported = model.exportLayers();
  try {
    await exported.model.save(modelFiles(dir));
  } finally {
    exported.dispose();
  }
  return [`${dir}/${MODEL_JSON}`, `${dir}/${WEIGHTS_BIN}`];
}
