import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { SAVED_MODEL_FILES } from '../records/saved-models.js';

/*
 * tfjs Layers models on disk (model.json + weight files), read and written over node:fs, so a
 * `file://` model loads without @tensorflow/tfjs-node: `tf.loadLayersModel(modelFiles(path))`.
 */

export const [MODEL_JSON, WEIGHTS_BIN] = SAVED_MODEL_FILES;

/**
 * An IOHandler for the model.json at `path` (or a folder holding one). Loading reads the weight
 * files its weightsManifest lists, relative to model.json, in order, into one buffer; a
 * topology-only model.json loads without weights. Saving writes model.json and weights.bin into the
 * folder, each through a temporary file, so a reader never sees half a model.
 */
export function modelFiles(path: string): tf.io.IOHandler {
  const file = path.endsWith('.json') ? resolve(path) : join(resolve(path), MODEL_JSON);
  return {
    load: async () => readModelArtifacts(file),
    save: async (artifacts) => writeModelArtifacts(file, artifacts),
  };
}

/** The parsed model.json at `file` and its weights; throws plain Errors saying what is wrong. */
export function readModelArtifacts(file: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  if (json === null || typeof json !== 'object' || !json.modelTopology) throw new Error('no modelTopology in it (not a tfjs Layers model.json)');
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
  };
  const manifest = json.weightsManifest ?? [];
  const specs = manifest.flatMap((group) => group.weights);
  if (specs.length > 0) {
    const buffers = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(file), p))));
    const total = Buffer.concat(buffers);
    artifacts.weightSpecs = specs;
    artifacts.weightData = total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength);
  }
  return artifacts;
}

function writeModelArtifacts(file: string, artifacts: tf.io.ModelArtifacts): tf.io.SaveResult {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('modelFiles saves Layers models (a JSON topology), not graph models');
  const dir = dirname(file);
  const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  const text = JSON.stringify(json);
  writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
  writeFileAtomic(file, text);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
      weightDataBytes: weights.byteLength,
    },
  };
}
