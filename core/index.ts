// @ecg-onnx/core: the contract every stage shares, browser-safe and dependency-free: beat and class
// spec, UCR text parsing, metrics, the .onnx metadata contract, classifier input validation, errors.
// Node-only helpers (atomic file writes) live behind the "@ecg-onnx/core/node" entry.
export * from './calibration.js';
export * from './classifier.js';
export * from './dataset.js';
export * from './errors.js';
export * from './metadata.js';
export * from './metrics.js';
export * from './random.js';
export * from './spec.js';
