/* `skewbench/train`: backends, the models, losses, the training loop and prediction (tfjs). */
export { selectBackend, BACKEND_PREFERENCES, type BackendChoice, type BackendPreference } from './backend.js';
export { buildModel, disposeModel, resetHead, MODEL_KINDS, RESNET_STAGES, type Model, type ModelKind, type ModelOptions, type ModelShape, type LayersExport } from './models.js';
export { createModel } from './create-model.js';
export { modelName, HEAD_MODES, type ModelSpec, type HeadMode, type FreezeMode, type LayersFileModel, type ModuleModel } from './names.js';
export { loadOwnModel, type BuildArguments } from './own-model.js';
export { modelFiles, MODEL_JSON, WEIGHTS_BIN } from './model-files.js';
export { saveModel } from './save-model.js';
export { computeLoss, elementwiseLoss, LOSSES, LOSS_KINDS, lossDefinition, type LossSpec, type LossKind, type LossDefinition, type LabelLossWeights } from './losses.js';
export { trainModel, type TrainOptions, type TrainResult, type EpochInfo } from './train.js';
export { predict } from './predict.js';
export type { ImageSet, ImageBatch } from './image-set.js';
