// Public API of the Node runtime: load an exported .onnx and classify beats with onnxruntime-node.
// Nothing here imports TF.js or training code: the .onnx file is all the runtime needs.
export { load, DEFAULT_MAX_BATCH, type LoadOptions, type NodeClassifier } from './classifier.js';
export { DEVICE_PROVIDERS, DEVICES, CUDA_INSTALL_HINT, selectExecutionProviders, openSession, describeProviderChoice, type Device, type SessionFactory, type ProviderFailure } from './devices.js';
export { inspectWebGpuEnvironment, autoWebGpuSkipReason, hasHardwareAdapter, webGpuMissing, VULKAN_INSTALL_HINT, type VulkanDriver, type WebGpuEnvironment } from './vulkan.js';
export type { Beat, Classifier, Prediction } from '@ecg-onnx/core';
export type { ModelMetadata } from '@ecg-onnx/core';
export { profileNodePlacement, formatPlacement, type NodePlacement, type PlacementReport } from './placement.js';
