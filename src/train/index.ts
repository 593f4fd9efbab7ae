/* `skewbench/train`: backends, the models, losses, the training loop and prediction (tfjs). */
export { selectBackend, BACKEND_PREFERENCES, type BackendChoice, type BackendPreference } from './backend.js';
export { buildModel, disposeModel, resetHead, MODEL_KINDS, type Model, type ModelKind, type ModelOptions, type ModelShape, type LayersExport } from './models.js';
export { createModel } from './create-model.js';
export type { ModelSpec, HeadMode, FreezeMode, LayersFileModel, ModuleModel } from './names.js';
export type { BuildArguments } from './own-model.js';
export { modelFiles } from './model-files.js';
export { saveModel } from './save-model.js';
export { computeLoss, elementwiseLoss, LOSSES, LOSS_KINDS, lossDefinition, type LossSpec, type LossKind, type LossDefinition, type LabelLossWeights } from './losses.js';
export { trainModel, type TrainOptions, type TrainResult, type EpochInfo } from './train.js';
export { predict } from './predict.js';
export type { ImageSet, ImageBatch } from './image-set.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { scheduleFactor, SCHEDULE_KINDS, type LearningRateSchedule } from './schedule.js';
