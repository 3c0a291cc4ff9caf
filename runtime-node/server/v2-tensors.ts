// From a v2 inference request to packed beats, and from the model's output rows to the response's
// output tensors (FP32 as JSON or binary, or Triton's classification strings). Every rule a request can
// break gets a 400 that names the tensor, the field and what the served model expects.
import { InvalidInputError, type ModelMetadata } from '@ecg-onnx/core';
import { bytesTensorLE, float32BytesLE, InferenceProtocolError, readFloat32LE } from './binary-tensors.js';
import type { InferRequest, InferRequestInput } from './v2-schemas.js';

// Triton's shared-memory extension puts tensors outside the body; this server cannot reach them.
const SHARED_MEMORY = ['shared_memory_region', 'shared_memory_byte_size', 'shared_memory_offset'];

const bad = (message: string) => new InferenceProtocolError(400, message);

function checkNoSharedMemory(where: string, parameters: Record<string, unknown> | undefined): void {
  const key = SHARED_MEMORY.find((k) => parameters?.[k] !== undefined);
  if (key) throw bad(`${where} uses "${key}": the shared-memory extension is not supported here; send the tensor in the body (JSON "data" or binary)`);
}

/** Walks `data` (flat or nested, at most `rank` deep) into `out`, row-major, rejecting anything but finite numbers. */
function flattenInto(data: unknown[], out: Float32Array, width: number, rank: number): number {
  let count = 0;
  const walk = (arr: unknown[], depth: number): void => {
    for (const v of arr) {
      if (Array.isArray(v)) {
        if (depth >= rank) throw bad(`"data" is nested ${depth + 1} deep; its shape has ${rank} dims`);
        walk(v, depth + 1);
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        // JSON.parse turns 1e999 into Infinity; strings and booleans are not coerced.
        const shown = typeof v === 'number' ? String(v) : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : v === null ? 'null' : typeof v;
        throw new InvalidInputError(Math.floor(count / width), `value ${count % width} is ${shown}; expected a finite number`);
      }
      if (count < out.length) out[count] = v;
      count++;
    }
  };
  walk(data, 1);
  return count;
}

export interface BeatsTensor {
  packed: Float32Array;
  n: number;
}

/** The "beats" input of a request as packed [n, inputLength * channels]; `tail` holds binary tensors. */
export function readBeats(request: InferRequest, tail: Buffer, metadata: ModelMetadata, maxBeats: number): BeatsTensor {
  const { inputName, inputLength, channels } = metadata;
  checkNoSharedMemory('the request', request.parameters);
  const unknown = request.inputs.find((i) => i.name !== inputName);
  if (unknown) throw bad(`unknown input "${unknown.name}"; the model has one input, "${inputName}"`);
  if (request.inputs.length > 1) throw bad(`input "${inputName}" is given ${request.inputs.length} times; send it once`);
  const input: InferRequestInput = request.inputs[0]!;
  checkNoSharedMemory(`input "${inputName}"`, input.parameters);
  if (input.datatype !== 'FP32') throw bad(`input "${inputName}" has datatype "${input.datatype}"; expected "FP32"`);
  const { shape } = input;
  const expectedShape = `[n, ${inputLength}, ${channels}] with n from 1 to ${maxBeats}`;
  if (shape.length !== 3 || shape[1] !== inputLength || shape[2] !== channels || shape[0]! < 1 || shape[0]! > maxBeats) {
    throw bad(`input "${inputName}" has shape [${shape.join(', ')}]; expected ${expectedShape}`);
  }
  const n = shape[0]!;
  const width = inputLength * channels;
  const values = n * width;
  const binarySize = input.parameters?.binary_data_size;
  if (binarySize !== undefined) {
    if (input.data !== undefined) throw bad(`input "${inputName}" has both "data" and "binary_data_size"; send one`);
    if (binarySize !== values * 4) throw bad(`input "${inputName}" has binary_data_size ${binarySize}; shape [${shape.join(', ')}] of FP32 needs ${values * 4} bytes`);
    if (tail.length !== binarySize) {
      throw bad(`the body has ${tail.length} bytes after the JSON header, but the inputs' binary_data_size add up to ${binarySize}; check Inference-Header-Content-Length`);
    }
    const packed = readFloat32LE(tail, values);
    for (let i = 0; i < values; i++) {
      if (!Number.isFinite(packed[i]!)) throw new InvalidInputError(Math.floor(i / width), `value ${i % width} is ${packed[i]}; expected a finite number`);
    }
    return { packed, n };
  }
  if (tail.length > 0) throw bad(`the body has ${tail.length} bytes after the JSON header, but no input has "binary_data_size"`);
  if (input.data === undefined) throw bad(`input "${inputName}" has no "data" (and no "binary_data_size" for binary data)`);
  const packed = new Float32Array(values);
  const count = flattenInto(input.data, packed, width, shape.length);
  if (count !== values) throw bad(`input "${inputName}" has ${count} values in "data"; shape [${shape.join(', ')}] needs ${values}`);
  return { packed, n };
}

/** What the response carries for the one output: where it goes and in which form. */
export interface OutputPlan {
  binary: boolean;
  /** Top-k classification strings instead of the probabilities; 0 = the raw tensor. */
  classification: number;
}

export function planOutput(request: InferRequest, metadata: ModelMetadata): OutputPlan {
  const byDefault = request.parameters?.binary_data_output ?? false;
  const outputs = request.outputs ?? [];
  const unknown = outputs.find((o) => o.name !== metadata.outputName);
  if (unknown) throw bad(`unknown output "${unknown.name}"; the model has one output, "${metadata.outputName}"`);
  if (outputs.length > 1) throw bad(`output "${metadata.outputName}" is requested ${outputs.length} times; ask once`);
  const parameters = outputs[0]?.parameters;
  checkNoSharedMemory(`output "${metadata.outputName}"`, parameters);
  return { binary: parameters?.binary_data ?? byDefault, classification: parameters?.classification ?? 0 };
}

/**
 * C++ std::to_string(float), which Triton's classification strings use: printf "%f" (6 decimals).
 * toFixed rounds the exact binary value too; only an exact tie differs (printf rounds half to even,
 * toFixed up), and at 6 decimals a float ties exactly when x * 128 is an odd integer.
 */
export function cFixed6(x: number): string {
  const m = x * 128;
  if (!(Number.isInteger(m) && Math.abs(m) % 2 === 1)) return x.toFixed(6);
  const lower = Math.floor(Math.abs(x) * 1e6); // exact: |m| * 7812.5
  const even = lower % 2 === 0 ? lower : lower + 1;
  return (x < 0 ? '-' : '') + (even / 1e6).toFixed(6);
}

/** Triton's classification strings, "value:index:label" for the top k of each row (highest first; ties: lower index). */
export function classificationStrings(output: Float32Array, n: number, k: number, labels: readonly string[]): string[] {
  const classes = labels.length;
  const count = Math.min(k, classes);
  const out: string[] = [];
  for (let row = 0; row < n; row++) {
    const values = output.subarray(row * classes, (row + 1) * classes);
    const order = Array.from({ length: classes }, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
    for (const i of order.slice(0, count)) out.push(`${cFixed6(values[i]!)}:${i}:${labels[i]}`);
  }
  return out;
}

export interface ResponseTensor {
  name: string;
  datatype: 'FP32' | 'BYTES';
  shape: number[];
  /** JSON data, or the bytes that follow the JSON header. */
  data: number[] | string[];
  bytes?: Uint8Array;
}

/** The response tensor for `plan`: labels are the class names, as labels.txt in the Triton repository. */
export function outputTensor(output: Float32Array, n: number, metadata: ModelMetadata, plan: OutputPlan): ResponseTensor {
  const name = metadata.outputName;
  const classes = metadata.classes.length;
  if (plan.classification > 0) {
    const strings = classificationStrings(output, n, plan.classification, metadata.classes.map((c) => c.name));
    const shape = [n, Math.min(plan.classification, classes)];
    return plan.binary ? { name, datatype: 'BYTES', shape, data: [], bytes: bytesTensorLE(strings) } : { name, datatype: 'BYTES', shape, data: strings };
  }
  const shape = [n, classes];
  return plan.binary ? { name, datatype: 'FP32', shape, data: [], bytes: float32BytesLE(output) } : { name, datatype: 'FP32', shape, data: Array.from(output) };
}
