// The v2 request/response tensor rules without HTTP: every 400 readBeats and planOutput give (exact
// text), JSON and binary inputs packed alike, splitBody's header-length checks, printf-style
// rounding for classification strings, and the four response tensor forms.
import { describe, expect, it } from 'vitest';
import { InvalidInputError, type ModelMetadata } from '../../core/index.js';
import { binaryBody, bytesTensorLE, float32BytesLE, InferenceProtocolError, readFloat32LE, splitBody } from '../../runtime-node/server/binary-tensors.js';
import { cFixed6, classificationStrings, outputTensor, planOutput, readBeats } from '../../runtime-node/server/v2-tensors.js';
import type { InferRequest, InferRequestInput } from '../../runtime-node/server/v2-schemas.js';
import { thrown } from '../helpers/thrown.js';

const META: ModelMetadata = {
  classes: [
    { label: '1', name: 'Normal' },
    { label: '2', name: 'PVC' },
    { label: '3', name: 'Other' },
  ],
  inputLength: 2,
  channels: 1,
  inputName: 'beats',
  outputName: 'probabilities',
  output: 'class probabilities',
  raw: {},
};

const input = (over: Partial<InferRequestInput> = {}): InferRequestInput => ({ name: 'beats', datatype: 'FP32', shape: [2, 2, 1], data: [1, 2, 3, 4], ...over });
const req = (over: Partial<InferRequest> = {}): InferRequest => ({ inputs: [input()], ...over });

const protocolError = (fn: () => unknown) => thrown(fn, InferenceProtocolError);
const message400 = (fn: () => unknown) => {
  const e = protocolError(fn);
  expect(e.statusCode).toBe(400);
  return e.message;
};

describe('readBeats', () => {
  const empty = Buffer.alloc(0);

  it('packs flat or nested JSON data row-major', () => {
    expect(Array.from(readBeats(req(), empty, META, 4).packed)).toEqual([1, 2, 3, 4]);
    const nested = readBeats(req({ inputs: [input({ data: [[[1], [2]], [[3], [4]]] })] }), empty, META, 4);
    expect([Array.from(nested.packed), nested.n]).toEqual([[1, 2, 3, 4], 2]);
  });

  it('reads binary data of exactly binary_data_size bytes', () => {
    const tail = Buffer.from(float32BytesLE(Float32Array.of(1, 2, 3, 4)));
    const r = readBeats(req({ inputs: [input({ data: undefined, parameters: { binary_data_size: 16 } })] }), tail, META, 4);
    expect(Array.from(r.packed)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [{ inputs: [input({ name: 'x' })] }, 'unknown input "x"; the model has one input, "beats"'],
    [{ inputs: [input(), input()] }, 'input "beats" is given 2 times; send it once'],
    [{ inputs: [input({ datatype: 'FP64' })] }, 'input "beats" has datatype "FP64"; expected "FP32"'],
    [{ inputs: [input({ shape: [2, 2] })] }, 'input "beats" has shape [2, 2]; expected [n, 2, 1] with n from 1 to 4'],
    [{ inputs: [input({ shape: [2, 3, 1] })] }, 'input "beats" has shape [2, 3, 1]; expected [n, 2, 1] with n from 1 to 4'],
    [{ inputs: [input({ shape: [2, 2, 2] })] }, 'input "beats" has shape [2, 2, 2]; expected [n, 2, 1] with n from 1 to 4'],
    [{ inputs: [input({ shape: [0, 2, 1] })] }, 'input "beats" has shape [0, 2, 1]; expected [n, 2, 1] with n from 1 to 4'],
    [{ inputs: [input({ shape: [5, 2, 1] })] }, 'input "beats" has shape [5, 2, 1]; expected [n, 2, 1] with n from 1 to 4'],
    [{ inputs: [input({ data: undefined })] }, 'input "beats" has no "data" (and no "binary_data_size" for binary data)'],
    [{ inputs: [input({ data: [1, 2, 3] })] }, 'input "beats" has 3 values in "data"; shape [2, 2, 1] needs 4'],
    [{ inputs: [input({ data: [1, 2, 3, 4, 5] })] }, 'input "beats" has 5 values in "data"; shape [2, 2, 1] needs 4'],
    [{ inputs: [input({ data: [[[[1]]], 2, 3, 4] })] }, '"data" is nested 4 deep; its shape has 3 dims'],
    [{ parameters: { shared_memory_region: 'r' } }, 'the request uses "shared_memory_region": the shared-memory extension is not supported here; send the tensor in the body (JSON "data" or binary)'],
    [{ inputs: [input({ parameters: { shared_memory_offset: 0 } })] }, 'input "beats" uses "shared_memory_offset": the shared-memory extension is not supported here; send the tensor in the body (JSON "data" or binary)'],
  ])('refuses %j', (over, message) => {
    expect(message400(() => readBeats(req(over as Partial<InferRequest>), empty, META, 4))).toBe(message);
  });

  it('accepts n = 1 and n = maxBeats, and data nested exactly as deep as the shape', () => {
    expect(readBeats(req({ inputs: [input({ shape: [1, 2, 1], data: [1, 2] })] }), empty, META, 4).n).toBe(1);
    expect(readBeats(req({ inputs: [input({ shape: [4, 2, 1], data: [1, 2, 3, 4, 5, 6, 7, 8] })] }), empty, META, 4).n).toBe(4);
    expect(readBeats(req({ inputs: [input({ data: [[[1], [2]], [[3], [4]]] })] }), empty, META, 2).n).toBe(2);
  });

  it('names the beat and value of a non-finite or non-number entry', () => {
    const invalid = (data: unknown[]) => thrown(() => readBeats(req({ inputs: [input({ data })] }), empty, META, 4), InvalidInputError).message;
    expect(invalid([1, 2, 3, Infinity])).toBe('beat 1: value 1 is Infinity; expected a finite number');
    expect(invalid([1, 'abcdefghijklmnopqrstuvwxyz', 3, 4])).toBe('beat 0: value 1 is the string "abcdefghijklmnopqrst"; expected a finite number');
    expect(invalid([1, 2, null, 4])).toBe('beat 1: value 0 is null; expected a finite number');
    expect(invalid([true, 2, 3, 4])).toBe('beat 0: value 0 is boolean; expected a finite number');
  });

  it('binary data: each size rule, and NaN in the bytes named by beat and value', () => {
    const bin = (size: number, data?: unknown[]) => req({ inputs: [input({ data, parameters: { binary_data_size: size } })] });
    const tail16 = Buffer.from(float32BytesLE(Float32Array.of(1, 2, 3, 4)));
    expect(message400(() => readBeats(bin(16, [1, 2, 3, 4]), tail16, META, 4))).toBe('input "beats" has both "data" and "binary_data_size"; send one');
    expect(message400(() => readBeats(bin(12), tail16, META, 4))).toBe('input "beats" has binary_data_size 12; shape [2, 2, 1] of FP32 needs 16 bytes');
    expect(message400(() => readBeats(bin(16), tail16.subarray(0, 12), META, 4))).toBe(
      "the body has 12 bytes after the JSON header, but the inputs' binary_data_size add up to 16; check Inference-Header-Content-Length",
    );
    expect(message400(() => readBeats(req(), tail16, META, 4))).toBe('the body has 16 bytes after the JSON header, but no input has "binary_data_size"');
    const nan = Buffer.from(float32BytesLE(Float32Array.of(1, 2, 3, NaN)));
    expect(() => readBeats(bin(16), nan, META, 4)).toThrow('beat 1: value 1 is NaN; expected a finite number');
  });
});

describe('planOutput', () => {
  it('defaults to JSON probabilities; binary_data_output sets the default, binary_data overrides it', () => {
    expect(planOutput(req(), META)).toEqual({ binary: false, classification: 0 });
    expect(planOutput(req({ parameters: { binary_data_output: true } }), META)).toEqual({ binary: true, classification: 0 });
    expect(planOutput(req({ parameters: { binary_data_output: true }, outputs: [{ name: 'probabilities', parameters: { binary_data: false } }] }), META)).toEqual({ binary: false, classification: 0 });
    expect(planOutput(req({ outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] }), META)).toEqual({ binary: false, classification: 2 });
  });

  it('refuses an unknown output, the output asked twice, and shared memory', () => {
    expect(message400(() => planOutput(req({ outputs: [{ name: 'logits' }] }), META))).toBe('unknown output "logits"; the model has one output, "probabilities"');
    expect(message400(() => planOutput(req({ outputs: [{ name: 'probabilities' }, { name: 'probabilities' }] }), META))).toBe('output "probabilities" is requested 2 times; ask once');
    expect(message400(() => planOutput(req({ outputs: [{ name: 'probabilities', parameters: { shared_memory_byte_size: 8 } }] }), META))).toMatch(/^output "probabilities" uses "shared_memory_byte_size"/);
  });
});

describe('classification strings', () => {
  it('cFixed6 rounds like printf %f: ties to even, everything else like toFixed', () => {
    expect(cFixed6(0.25)).toBe('0.250000');
    expect(cFixed6(1 / 3)).toBe('0.333333');
    expect(cFixed6(2 ** -7)).toBe('0.007812'); // 0.0078125: a tie, rounds to the even 7812
    expect(cFixed6(3 * 2 ** -7)).toBe('0.023438'); // 0.0234375: tie, 23437 is odd -> 23438
    expect(cFixed6(-(2 ** -7))).toBe('-0.007812');
    expect(cFixed6(5 * 2 ** -7)).toBe('0.039062'); // 0.0390625 -> even 39062
    expect(cFixed6(0)).toBe('0.000000');
  });

  it('top k per row, highest first, ties by lower index, k capped at the class count', () => {
    const out = Float32Array.of(0.25, 0.5, 0.25, 0.125, 0.125, 0.75);
    expect(classificationStrings(out, 2, 2, ['A', 'B', 'C'])).toEqual(['0.500000:1:B', '0.250000:0:A', '0.750000:2:C', '0.125000:0:A']);
    expect(classificationStrings(out, 1, 9, ['A', 'B', 'C'])).toEqual(['0.500000:1:B', '0.250000:0:A', '0.250000:2:C']);
  });

  it('outputTensor: FP32 or BYTES, as JSON data or bytes after the header', () => {
    const out = Float32Array.of(0.25, 0.5, 0.25);
    expect(outputTensor(out, 1, META, { binary: false, classification: 0 })).toEqual({ name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: [0.25, 0.5, 0.25] });
    const bin = outputTensor(out, 1, META, { binary: true, classification: 0 });
    expect([bin.datatype, bin.shape, bin.data, Array.from(readFloat32LE(bin.bytes!, 3))]).toEqual(['FP32', [1, 3], [], [0.25, 0.5, 0.25]]);
    expect(outputTensor(out, 1, META, { binary: false, classification: 5 })).toEqual({
      name: 'probabilities',
      datatype: 'BYTES',
      shape: [1, 3],
      data: ['0.500000:1:PVC', '0.250000:0:Normal', '0.250000:2:Other'],
    });
    const strings = outputTensor(out, 1, META, { binary: true, classification: 1 });
    expect([strings.shape, strings.data, Buffer.from(strings.bytes!)]).toEqual([[1, 1], [], Buffer.from(bytesTensorLE(['0.500000:1:PVC']))]);
  });
});

describe('binary tensor framing', () => {
  it('splitBody: the whole body as JSON, or the first header-length bytes', () => {
    expect(splitBody(Buffer.from('{"a":1}'), undefined)).toEqual({ json: { a: 1 }, tail: Buffer.alloc(0) });
    const { json, tail } = splitBody(Buffer.from('{"a":1}xyz'), '7');
    expect([json, tail.toString()]).toEqual([{ a: 1 }, 'xyz']);
    expect(splitBody(Buffer.from('{"a":1}'), '7').tail.length).toBe(0);
  });

  it.each([['0'], ['8'], ['-1'], ['7.0'], [' 7'], ['abc'], ['']])('refuses Inference-Header-Content-Length %j', (h) => {
    expect(message400(() => splitBody(Buffer.from('{"a":1}'), h))).toBe(`Inference-Header-Content-Length is "${h}"; expected the byte length of the JSON header, 1 to 7 (the body length)`);
  });

  it('names what is not JSON, and refuses JSON that is not an object', () => {
    expect(message400(() => splitBody(Buffer.from('{x'), undefined))).toMatch(/^request body is not valid JSON: .*; a body with binary tensors needs the Inference-Header-Content-Length header$/);
    expect(message400(() => splitBody(Buffer.from('{x}abc'), '3'))).toMatch(/^JSON header \(first 3 bytes\) is not valid JSON: [^;]*$/);
    for (const body of ['[1]', 'null', '3']) {
      expect(message400(() => splitBody(Buffer.from(body), undefined))).toBe('the inference request must be a JSON object: {"inputs": [...]}');
    }
  });

  it('FP32 and BYTES tensors are little-endian; binaryBody puts the header length first', () => {
    expect(Array.from(float32BytesLE(Float32Array.of(1)))).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(readFloat32LE(Uint8Array.of(0, 0, 0x80, 0x3f, 0, 0, 0, 0x40), 2))).toEqual([1, 2]);
    expect(Array.from(bytesTensorLE(['ab', 'é']))).toEqual([2, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0xc3, 0xa9]);
    const { body, headerLength } = binaryBody({ a: 1 }, [Uint8Array.of(9), Uint8Array.of(8, 7)]);
    expect(headerLength).toBe(7);
    expect(Array.from(body.subarray(7))).toEqual([9, 8, 7]);
    expect(body.subarray(0, 7).toString()).toBe('{"a":1}');
  });
});
