export { selectBackend, BACKEND_PREFERENCES, type BackendChoice, type BackendPreference } from './backend.js';
export { buildModel, disposeModel, MODEL_KINDS, type Model, type ModelKind, type ModelOptions, type ModelShape } from './models.js';
export {
  computeLoss,
  elementwiseLoss,
  LOSS_KINDS,
  LOSSES,
  lossDefinition,
  type LossKind,
  type LossSpec,
  type LabelLossWeights,
} from './losses.js';
export { trainModel, type TrainOptions, type TrainResult, type EpochInfo } from './train.js';
export { predict } from './predict.js';
export { Adam, type AdamOptions } from './adam.js';
export type { ImageSet, ImageBatch } from './image-set.js';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './kernels/register.js';
