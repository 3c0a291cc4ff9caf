// The Open Inference Protocol (KServe v2, Triton's HTTP API) beside /v1, so a client written for
// Triton (or KServe, MLServer) works against `ecg serve` by changing the URL: health, server and model
// metadata, and inference through the same dynamic batcher, with Triton's binary tensor and
// classification extensions. Errors are the protocol's {"error": "..."} with 400/404/405/413.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { EcgError, type ModelMetadata } from '@ecg-onnx/core';
import { packageRoot } from '@ecg-onnx/core/node';
import type { DynamicBatcher } from './batcher.js';
import { binaryBody, HEADER_LENGTH, InferenceProtocolError, splitBody } from './binary-tensors.js';
import { answerOtherMethods } from './method-not-allowed.js';
import type { ServerMetrics } from './prometheus.js';
import { inferRequestSchema, modelMetadata, V2_EXTENSIONS, type InferRequest } from './v2-schemas.js';
import { outputTensor, planOutput, readBeats } from './v2-tensors.js';

export interface V2Options {
  metadata: ModelMetadata;
  batcher: DynamicBatcher;
  metrics: ServerMetrics;
  /** The model name clients put in the URL (as in the Triton repository). */
  modelName: string;
  /** Its one version. */
  modelVersion: string;
  maxBeats: number;
}

/** Paths relative to the /v2 prefix, with their methods (HEAD comes with every GET). */
const V2_ROUTES: readonly [string, readonly string[]][] = [
  ['/', ['GET', 'HEAD']],
  ['/health/live', ['GET', 'HEAD']],
  ['/health/ready', ['GET', 'HEAD']],
  ['/models/:name', ['GET', 'HEAD']],
  ['/models/:name/versions/:version', ['GET', 'HEAD']],
  ['/models/:name/ready', ['GET', 'HEAD']],
  ['/models/:name/versions/:version/ready', ['GET', 'HEAD']],
  ['/models/:name/infer', ['POST']],
  ['/models/:name/versions/:version/infer', ['POST']],
];

const errorBody = (_statusCode: number, message: string) => ({ error: message });
const EMPTY = Buffer.alloc(0);

/** This package's version: the server version GET /v2 reports (from source or from dist/). */
function serverVersion(): string {
  const root = packageRoot(import.meta.url, '@ecg-onnx/runtime-node');
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Registers the v2 routes on a plugin scope; register it with { prefix: '/v2' }. */
export function v2Routes(options: V2Options) {
  const { metadata, batcher, metrics, modelName, modelVersion, maxBeats } = options;
  const { inputName, inputLength, channels } = metadata;
  const serverMetadata = { name: 'ecg-onnx', version: serverVersion(), extensions: [...V2_EXTENSIONS] };
  const model = modelMetadata(metadata, modelName, modelVersion);
  const expected = `{"inputs": [{"name": "${inputName}", "shape": [n, ${inputLength}, ${channels}], "datatype": "FP32", "data": [n x ${inputLength * channels} numbers, flat or nested]}]}`;
  const routeList = V2_ROUTES.map(([url, methods]) => `${methods[0]} /v2${url === '/' ? '' : url}`).join(', ');

  return async function v2Plugin(app: FastifyInstance): Promise<void> {
    // The binary data left after the JSON header, per request, for the handler.
    const tails = new WeakMap<FastifyRequest, Buffer>();
    // As Triton: the body is JSON unless Inference-Header-Content-Length says where the JSON ends,
    // whatever the content-type (fetch sends a string as text/plain, curl -d as a form).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      const header = request.headers[HEADER_LENGTH];
      try {
        const split = splitBody(body as Buffer, Array.isArray(header) ? header.join(', ') : header);
        tails.set(request, split.tail);
        done(null, split.json);
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    const checkModel = async (request: FastifyRequest) => {
      const { name, version } = request.params as { name: string; version?: string };
      if (name !== modelName) throw new InferenceProtocolError(404, `unknown model "${name}"; this server serves "${modelName}" (GET /v2/models/${modelName})`);
      if (version !== undefined && version !== modelVersion) {
        throw new InferenceProtocolError(404, `model "${modelName}" has no version "${version}"; versions: ${modelVersion}`);
      }
    };

    app.get('/', async () => serverMetadata);
    app.get('/health/live', async (_request, reply) => reply.code(200).send());
    app.get('/health/ready', async (_request, reply) => reply.code(200).send());
    for (const url of ['/models/:name', '/models/:name/versions/:version']) {
      app.get(url, { onRequest: checkModel }, async () => model);
      app.get(`${url}/ready`, { onRequest: checkModel }, async (_request, reply) => reply.code(200).send());
      app.post<{ Body: InferRequest }>(`${url}/infer`, { onRequest: checkModel, schema: { body: inferRequestSchema } }, async (request, reply) => {
        const body = request.body;
        const plan = planOutput(body, metadata);
        const { packed, n } = readBeats(body, tails.get(request) ?? EMPTY, metadata, maxBeats);
        const output = await batcher.submit(packed, n);
        metrics.beats.inc({}, n);
        const tensor = outputTensor(output, n, metadata, plan);
        const head = { model_name: modelName, model_version: modelVersion, ...(body.id === undefined ? {} : { id: body.id }) };
        const described = { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape };
        if (tensor.bytes) {
          const binary = binaryBody({ ...head, outputs: [{ ...described, parameters: { binary_data_size: tensor.bytes.length } }] }, [tensor.bytes]);
          return reply.header(HEADER_LENGTH, String(binary.headerLength)).type('application/octet-stream').send(binary.body);
        }
        return reply.type('application/json; charset=utf-8').send({ ...head, outputs: [{ ...described, data: tensor.data }] });
      });
    }

    for (const [url, methods] of V2_ROUTES) answerOtherMethods(app, url, methods, errorBody);
    app.setNotFoundHandler(async (request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url}; v2 routes: ${routeList}`)));
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error.validation) return reply.code(400).send(errorBody(400, `invalid inference request: ${error.message}; expected ${expected}`));
      if (error instanceof InferenceProtocolError) return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message));
      // InvalidInputError from the values themselves ("beat 2: value 7 is NaN; ...").
      if (error instanceof EcgError) return reply.code(400).send(errorBody(400, `input "${inputName}": ${error.message}`));
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.code(413).send(errorBody(413, `request body is larger than ${app.initialConfig.bodyLimit} bytes; send fewer beats per request`));
      }
      const status = error.statusCode ?? 500;
      if (status >= 500) request.log.error(error);
      return reply.code(status).send(errorBody(status, status >= 500 ? 'internal error while classifying; see the server log' : error.message));
    });
  };
}
