// Triton's binary tensor data extension on the wire: a body is a JSON header of
// Inference-Header-Content-Length bytes followed by raw tensors (little-endian, row-major, no
// padding; BYTES elements as a 4-byte length then the bytes), so a large batch skips JSON number text.
import { EcgError } from '@ecg-onnx/core';

export const HEADER_LENGTH = 'inference-header-content-length';

/** A request the protocol cannot accept; statusCode is what the client gets (400, 404). */
export class InferenceProtocolError extends EcgError {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface SplitBody {
  /** The parsed JSON object (the whole body when no header length was sent). */
  json: unknown;
  /** The bytes after the JSON: the binary tensors in input order (empty without the extension). */
  tail: Buffer;
}

/** Splits and parses a v2 request body; `headerLength` is the Inference-Header-Content-Length value, if any. */
export function splitBody(body: Buffer, headerLength: string | undefined): SplitBody {
  let jsonBytes = body.length;
  if (headerLength !== undefined) {
    jsonBytes = /^\d+$/.test(headerLength) ? Number(headerLength) : NaN;
    if (!(jsonBytes > 0 && jsonBytes <= body.length)) {
      throw new InferenceProtocolError(400, `Inference-Header-Content-Length is "${headerLength}"; expected the byte length of the JSON header, 1 to ${body.length} (the body length)`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8', 0, jsonBytes));
  } catch (err) {
    const where = headerLength === undefined ? 'request body' : `JSON header (first ${jsonBytes} bytes)`;
    throw new InferenceProtocolError(400, `${where} is not valid JSON: ${(err as Error).message}${headerLength === undefined ? '; a body with binary tensors needs the Inference-Header-Content-Length header' : ''}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InferenceProtocolError(400, 'the inference request must be a JSON object: {"inputs": [...]}');
  }
  return { json, tail: body.subarray(jsonBytes) };
}

/** `count` FP32 values from little-endian bytes (whatever this machine's byte order). */
export function readFloat32LE(bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** FP32 values as little-endian bytes. */
export function float32BytesLE(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** A BYTES tensor's binary form: each element as a uint32 little-endian length, then its UTF-8 bytes. */
export function bytesTensorLE(elements: readonly string[]): Uint8Array {
  const encoded = elements.map((e) => Buffer.from(e, 'utf8'));
  const out = Buffer.alloc(encoded.reduce((a, e) => a + 4 + e.length, 0));
  let offset = 0;
  for (const e of encoded) {
    out.writeUInt32LE(e.length, offset);
    e.copy(out, offset + 4);
    offset += 4 + e.length;
  }
  return out;
}

/** A binary response: the JSON header, then the tensors; the header length goes in Inference-Header-Content-Length. */
export function binaryBody(header: object, tensors: readonly Uint8Array[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...tensors]), headerLength: json.length };
}
