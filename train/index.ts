// @ecg-onnx/train: the paper's CNN-GRU-SE model and its training recipe on TF.js (tfjs-node where it
// installs, else WASM with our extra kernels): data -> split -> augmentation -> model -> fit -> save,
// and trainAndSave() for one whole run. Importing it registers the ResetAfterGRU layer with TF.js.
export * from './augment.js';
export * from './backend.js';
export * from './calibration.js';
export * from './cross-validation.js';
export * from './data.js';
export * from './ensemble.js';
export * from './ensemble-model.js';
export * from './evaluate.js';
export * from './figures.js';
export * from './fit.js';
export * from './gru.js';
export * from './fused-adam.js';
export * from './kernels/index.js';
export * from './loss.js';
export * from './model.js';
export * from './options.js';
export { localStepper, parallelStepper, type ParallelConfig, type Stepper, type StepResult } from './parallel/coordinator.js';
export * from './progress.js';
export * from './replica.js';
export * from './run.js';
export * from './save.js';
export * from './split.js';
export * from './summary.js';
export * from './train-model.js';
export * from './tune.js';
