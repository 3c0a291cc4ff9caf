// @ecg-onnx/runtime-node/server: the HTTP inference server (fastify) around a loaded classifier, with
// dynamic batching, health/metadata/metrics routes and a graceful drain on close.
export { buildServer, DEFAULT_BODY_LIMIT, type InferenceServer, type ServedModel, type ServerOptions } from './app.js';
export { startServer, type ListenOptions, type RunningServer } from './listen.js';
export { DynamicBatcher, type BatcherOptions, type PackedRunner } from './batcher.js';
export { ServerMetrics } from './prometheus.js';
