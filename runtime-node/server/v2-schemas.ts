// The Open Inference Protocol (KServe v2) documents of the served model: the inference request's JSON
// schema (checked by ajv before the handler runs) and the server and model metadata, which name the
// model, its tensors and dims exactly as the config.pbtxt `ecg triton` writes for the same .onnx.
import type { ModelMetadata } from '@ecg-onnx/core';

/** What this server adds to the protocol (the names Triton reports for the same extensions). */
export const V2_EXTENSIONS = Object.freeze(['binary_tensor_data', 'classification']);

/**
 * Structure only: tensor values (`data`, flat or nested to any depth) are walked once by the handler,
 * which also names the first bad value; an ajv schema per element would cost more than the model run.
 */
export const inferRequestSchema = {
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    // Triton's own clients may repeat the URL's model in the body.
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    parameters: {
      type: 'object',
      properties: { binary_data_output: { type: 'boolean' } },
    },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string' },
          parameters: {
            type: 'object',
            properties: { binary_data_size: { type: 'integer', minimum: 0 } },
          },
          data: { type: 'array' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          parameters: {
            type: 'object',
            properties: { binary_data: { type: 'boolean' }, classification: { type: 'integer', minimum: 0 } },
          },
        },
      },
    },
  },
} as const;

export interface InferRequestInput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: { binary_data_size?: number; [key: string]: unknown };
  data?: unknown[];
}

export interface InferRequestOutput {
  name: string;
  parameters?: { binary_data?: boolean; classification?: number; [key: string]: unknown };
}

export interface InferRequest {
  id?: string;
  parameters?: { binary_data_output?: boolean; [key: string]: unknown };
  inputs: InferRequestInput[];
  outputs?: InferRequestOutput[];
}

export interface MetadataTensor {
  name: string;
  datatype: string;
  shape: number[];
}

/** $metadata_model_response. The batch dim is -1: any n up to the request limit. */
export function modelMetadata(metadata: ModelMetadata, name: string, version: string) {
  const inputs: MetadataTensor[] = [{ name: metadata.inputName, datatype: 'FP32', shape: [-1, metadata.inputLength, metadata.channels] }];
  const outputs: MetadataTensor[] = [{ name: metadata.outputName, datatype: 'FP32', shape: [-1, metadata.classes.length] }];
  // "onnxruntime_onnx" is the platform Triton reports for a model on its onnxruntime backend.
  return { name, versions: [version], platform: 'onnxruntime_onnx', inputs, outputs };
}
