// The HTTP inference server (fastify): JSON-schema-validated classify requests fed through the dynamic
// batcher, health/metadata/metrics routes, and errors that name the problem (400/404/405/413/415);
// the Open Inference Protocol (/v2, server/v2.ts) shares the batcher, metrics and drain.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { EcgError, InvalidInputError, type ModelMetadata, packBeats, toPredictions } from '@ecg-onnx/core';
import { DEFAULT_MODEL_NAME, MODEL_NAME_PATTERN, MODEL_VERSION } from '../triton.js';
import { DynamicBatcher, type PackedRunner } from './batcher.js';
import { answerOtherMethods } from './method-not-allowed.js';
import { ServerMetrics } from './prometheus.js';
import { classifyBodySchema, classifyResponseSchema } from './schemas.js';
import { v2Routes } from './v2.js';

/** What the server needs from a classifier (a NodeClassifier fits; tests may inject their own). */
export interface ServedModel {
  readonly metadata: ModelMetadata;
  readonly provider: string;
  runPacked: PackedRunner;
}

export interface ServerOptions {
  /** Most beats per session run. Default 64. */
  maxBatch?: number;
  /** How long a request waits for others to join its batch. Default 2 ms. */
  batchWaitMs?: number;
  /** false: no merging; each request runs on its own. Default true. */
  batching?: boolean;
  /** Request body limit in bytes (larger -> 413). Default 4 MiB: room for maxBeatsPerRequest beats as JSON text. */
  bodyLimit?: number;
  /** Most beats in one request (more -> 400). Default 1024. */
  maxBeatsPerRequest?: number;
  /** fastify's pino logger; off by default (tests, benchmarks). */
  logger?: boolean;
  /** The model's name in /v2 URLs. Default "ecg", as `ecg triton` names it. */
  modelName?: string;
  /** Its version in /v2 URLs. Default "1", the version folder `ecg triton` writes. */
  modelVersion?: string;
}

export interface InferenceServer {
  app: FastifyInstance;
  metrics: ServerMetrics;
  batcher: DynamicBatcher;
}

const ROUTES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '/healthz': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/v1/metadata': ['GET', 'HEAD'],
  '/v1/classify': ['POST'],
});
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

function errorBody(statusCode: number, message: string) {
  return { statusCode, error: message };
}

export function buildServer(model: ServedModel, options: ServerOptions = {}): InferenceServer {
  const maxBatch = options.maxBatch ?? 64;
  const batchWaitMs = options.batchWaitMs ?? 2;
  const batching = options.batching ?? true;
  const maxBeats = options.maxBeatsPerRequest ?? 1024;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidInputError(undefined, `--max-batch must be a positive integer, got ${maxBatch}`);
  if (!(batchWaitMs >= 0)) throw new InvalidInputError(undefined, `--batch-wait-ms must be >= 0, got ${batchWaitMs}`);
  const modelName = options.modelName ?? DEFAULT_MODEL_NAME;
  const modelVersion = options.modelVersion ?? MODEL_VERSION;
  if (!MODEL_NAME_PATTERN.test(modelName)) throw new InvalidInputError(undefined, `--name "${modelName}" must be letters, digits, "_", "." or "-", as a Triton model name`);
  if (!/^[1-9]\d*$/.test(modelVersion)) throw new InvalidInputError(undefined, `--model-version must be a positive integer (a Triton version folder), got "${modelVersion}"`);
  const { metadata } = model;
  const width = metadata.inputLength * metadata.channels;
  const metrics = new ServerMetrics(model.provider);
  const batcher = new DynamicBatcher({
    run: model.runPacked,
    width,
    outputWidth: metadata.classes.length,
    maxBatch,
    maxWaitMs: batchWaitMs,
    enabled: batching,
    onBatch: (n) => metrics.batchSize.observe(n),
    onQueue: (n) => metrics.queued.set(n),
  });
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Strict schemas: no silent coercion ("1" -> 1) or removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // Only JSON bodies: a text/plain body gets 415 instead of failing the schema as a string.
  app.removeContentTypeParser('text/plain');

  const modelInfo = {
    inputName: metadata.inputName,
    outputName: metadata.outputName,
    inputLength: metadata.inputLength,
    channels: metadata.channels,
    classes: metadata.classes,
    output: metadata.output,
    testAccuracy: metadata.testAccuracy,
    sourceSha256: metadata.sourceSha256,
    exportedAt: metadata.exportedAt,
    provider: model.provider,
  };
  const responseModel = { provider: model.provider, sourceSha256: metadata.sourceSha256, classes: metadata.classes };
  let draining = false;

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, code: String(reply.statusCode) });
    metrics.latency.observe(reply.elapsedTime / 1000, { route });
  });
  app.addHook('preClose', async () => {
    draining = true;
    await batcher.drain();
  });

  app.get('/healthz', async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ok', provider: model.provider };
  });
  app.get('/v1/metadata', async () => ({
    model: modelInfo,
    batching: { enabled: batching, maxBatch, batchWaitMs, maxBeatsPerRequest: maxBeats },
  }));
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()));
  app.post<{ Body: { beats: number[][] } }>(
    '/v1/classify',
    { schema: { body: classifyBodySchema(width, maxBeats), response: { 200: classifyResponseSchema } } },
    async (request) => {
      // The schema checked shape and types; packBeats also rejects non-finite values (JSON's 1e999).
      const beats = request.body.beats;
      const packed = packBeats(beats, metadata);
      const output = await batcher.submit(packed, beats.length);
      metrics.beats.inc({}, beats.length);
      return { predictions: toPredictions(output, beats.length, metadata), model: responseModel };
    },
  );

  void app.register(v2Routes({ metadata, batcher, metrics, modelName, modelVersion, maxBeats }), { prefix: '/v2' });

  for (const [url, methods] of Object.entries(ROUTES)) answerOtherMethods(app, url, methods, errorBody);
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url}; routes: ${Object.keys(ROUTES).join(', ')}, /v2/... (Open Inference Protocol)`)),
  );
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send(errorBody(400, `invalid request ${error.validationContext ?? 'body'}: ${error.message}; expected {"beats": [[${width} numbers], ...]} with 1 to ${maxBeats} beats`));
    }
    if (error instanceof EcgError) return reply.code(400).send(errorBody(400, error.message));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody(413, `request body is larger than ${app.initialConfig.bodyLimit} bytes; send fewer beats per request`));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody(415, `unsupported content-type "${request.headers['content-type'] ?? ''}"; send JSON with "content-type: application/json"`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error(error);
    return reply.code(status).send(errorBody(status, status >= 500 ? 'internal error while classifying; see the server log' : error.message));
  });
  return { app, metrics, batcher };
}
