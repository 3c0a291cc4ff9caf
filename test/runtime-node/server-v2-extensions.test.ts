// Triton's extensions to the Open Inference Protocol on `ecg serve`, over real HTTP on 127.0.0.1:
// binary tensors (Inference-Header-Content-Length) in and out, and classification strings
// ("value:index:label", the value as C++ std::to_string prints a float), with their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../runtime-node/index.js';
import { startServer, type RunningServer } from '../../runtime-node/server/listen.js';
import { cFixed6, classificationStrings } from '../../runtime-node/server/v2-tensors.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 33 });
let server: RunningServer;
let url: string;

beforeAll(async () => {
  server = await startServer(await load(tiny.bytes, { device: 'cpu' }), { port: 0, maxBeatsPerRequest: 64 });
  url = `${server.url}/v2/models/ecg/infer`;
});
afterAll(() => server.close());

const le = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength); // every CI machine is little-endian
const packed = (beats: Float32Array[]) => Float32Array.from(beats.flatMap((b) => Array.from(b)));

/** POSTs a JSON header followed by binary tensors, as Triton's clients do. */
function postBinary(header: object, tail: Uint8Array, headerLength?: string) {
  const json = Buffer.from(JSON.stringify(header));
  return fetch(url, { method: 'POST', headers: { 'inference-header-content-length': headerLength ?? String(json.length), 'content-type': 'application/octet-stream' }, body: Buffer.concat([json, tail]) });
}

interface Parsed {
  header: { model_name: string; outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size: number } }[] };
  tail: Buffer;
}
async function parseBinary(res: Response): Promise<Parsed> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/octet-stream');
  const body = Buffer.from(await res.arrayBuffer());
  const length = Number(res.headers.get('inference-header-content-length'));
  expect(Number(res.headers.get('content-length'))).toBe(body.length);
  return { header: JSON.parse(body.subarray(0, length).toString('utf8')) as Parsed['header'], tail: body.subarray(length) };
}
const floatsLE = (bytes: Buffer) => Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
/** The elements of a binary BYTES tensor: uint32 length, then the bytes. */
function stringsLE(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = bytes.readUInt32LE(at);
    out.push(bytes.subarray(at + 4, at + 4 + n).toString('utf8'));
    at += 4 + n;
  }
  return out;
}
const binaryInput = (beats: Float32Array[]) => ({ name: 'beats', shape: [beats.length, 140, 1], datatype: 'FP32', parameters: { binary_data_size: beats.length * 140 * 4 } });
const jsonInput = (beats: Float32Array[]) => ({ name: 'beats', shape: [beats.length, 140, 1], datatype: 'FP32', data: Array.from(packed(beats)) });
const expectedRows = (beats: Float32Array[]) => beats.flatMap((b) => tiny.expected(b));

describe('binary tensor data extension', () => {
  it('binary input, binary output: the bytes are the probabilities JSON would carry', async () => {
    const beats = randomBeats(7, 140, 1);
    const res = await postBinary({ id: 'b1', inputs: [binaryInput(beats)], outputs: [{ name: 'probabilities', parameters: { binary_data: true } }] }, le(packed(beats)));
    const { header, tail } = await parseBinary(res);
    expect(header).toEqual({ model_name: 'ecg', model_version: '1', id: 'b1', outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [7, 5], parameters: { binary_data_size: 140 } }] });
    expect(tail.length).toBe(7 * 5 * 4);
    assertClose(floatsLE(tail), expectedRows(beats), TOLERANCES.onnxAbs);
    const json = await fetch(url, { method: 'POST', body: JSON.stringify({ inputs: [jsonInput(beats)] }) });
    expect(floatsLE(tail)).toEqual(((await json.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data);
  });

  it('binary input, JSON output (no binary_data): a plain JSON response', async () => {
    const beats = randomBeats(2, 140, 2);
    const res = await postBinary({ inputs: [binaryInput(beats)] }, le(packed(beats)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('inference-header-content-length')).toBeNull();
    assertClose(((await res.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data, expectedRows(beats), TOLERANCES.onnxAbs);
  });

  it('JSON input with "binary_data_output": true returns binary, unless the output says binary_data: false', async () => {
    const beats = randomBeats(3, 140, 3);
    const all = await parseBinary(await fetch(url, { method: 'POST', body: JSON.stringify({ parameters: { binary_data_output: true }, inputs: [jsonInput(beats)] }) }));
    assertClose(floatsLE(all.tail), expectedRows(beats), TOLERANCES.onnxAbs);
    const overridden = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ parameters: { binary_data_output: true }, inputs: [jsonInput(beats)], outputs: [{ name: 'probabilities', parameters: { binary_data: false } }] }),
    });
    expect(overridden.headers.get('content-type')).toMatch(/^application\/json/);
    assertClose(((await overridden.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data, expectedRows(beats), TOLERANCES.onnxAbs);
  });

  const beat = randomBeats(1, 140, 4);
  const bytes = le(packed(beat));
  const cases: [string, () => Promise<Response>, RegExp][] = [
    ['a header length that is not a number', () => postBinary({ inputs: [binaryInput(beat)] }, bytes, 'abc'), /Inference-Header-Content-Length is "abc"; expected the byte length of the JSON header/],
    ['a header length past the body', () => postBinary({ inputs: [binaryInput(beat)] }, bytes, '100000'), /Inference-Header-Content-Length is "100000"; expected .* 1 to \d+ \(the body length\)/],
    ['a header length that cuts the JSON', () => postBinary({ inputs: [binaryInput(beat)] }, bytes, '10'), /JSON header \(first 10 bytes\) is not valid JSON/],
    ['fewer bytes than binary_data_size', () => postBinary({ inputs: [binaryInput(beat)] }, bytes.subarray(4)), /the body has 556 bytes after the JSON header, but the inputs' binary_data_size add up to 560/],
    ['more bytes than binary_data_size', () => postBinary({ inputs: [binaryInput(beat)] }, Buffer.concat([bytes, Buffer.alloc(4)])), /the body has 564 bytes after the JSON header, but the inputs' binary_data_size add up to 560/],
    ['binary_data_size that does not fit the shape', () => postBinary({ inputs: [{ ...binaryInput(beat), parameters: { binary_data_size: 556 } }] }, bytes.subarray(4)), /binary_data_size 556; shape \[1, 140, 1\] of FP32 needs 560 bytes/],
    ['bytes but no binary_data_size', () => postBinary({ inputs: [jsonInput(beat)] }, bytes), /the body has 560 bytes after the JSON header, but no input has "binary_data_size"/],
    ['both data and binary_data_size', () => postBinary({ inputs: [{ ...jsonInput(beat), parameters: { binary_data_size: 560 } }] }, bytes), /has both "data" and "binary_data_size"; send one/],
    ['a NaN in the bytes', () => postBinary({ inputs: [binaryInput(beat)] }, le(Float32Array.from(packed(beat), (v, i) => (i === 17 ? NaN : v)))), /input "beats": beat 0: value 17 is NaN; expected a finite number/],
    ['a non-boolean binary_data', () => fetch(url, { method: 'POST', body: JSON.stringify({ inputs: [jsonInput(beat)], outputs: [{ name: 'probabilities', parameters: { binary_data: 'yes' } }] }) }), /binary_data must be boolean/],
  ];
  it.each(cases)('400 for %s', async (_name, send, message) => {
    const res = await send();
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });
});

describe('classification extension', () => {
  const labels = tiny.classes.map((c) => c.name);
  /** Triton's strings for one row, from the float64 reference (rounded to float32 first, as the model outputs float32). */
  const expectedStrings = (beat: Float32Array, k: number) =>
    tiny
      .expected(beat)
      .map((v, i) => [Math.fround(v), i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([v, i]) => ({ value: v, index: i, label: labels[i] }));

  it('"classification": k returns the top k of each row as BYTES [n, k] "value:index:label" strings', async () => {
    const beats = randomBeats(4, 140, 5);
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ id: 'c', inputs: [jsonInput(beats)], outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] }) });
    expect(res.status).toBe(200);
    const out = ((await res.json()) as { outputs: { name: string; datatype: string; shape: number[]; data: string[] }[] }).outputs[0]!;
    expect(out).toMatchObject({ name: 'probabilities', datatype: 'BYTES', shape: [4, 2] });
    beats.forEach((b, row) => {
      expectedStrings(b, 2).forEach((e, j) => {
        const [value, index, label] = out.data[row * 2 + j]!.split(':');
        expect(value).toMatch(/^\d\.\d{6}$/);
        expect(Math.abs(Number(value) - e.value)).toBeLessThanOrEqual(5e-7 + TOLERANCES.onnxAbs);
        expect([Number(index), label]).toEqual([e.index, e.label]);
      });
    });
    // Exactly the strings of the FP32 output the same request gets without the parameter.
    const raw = (await (await fetch(url, { method: 'POST', body: JSON.stringify({ inputs: [jsonInput(beats)] }) })).json()) as { outputs: { data: number[] }[] };
    const rows = beats.map((_, row) => raw.outputs[0]!.data.slice(row * 5, row * 5 + 5));
    expect(out.data).toEqual(rows.flatMap((r) => [...r.keys()].sort((a, b) => r[b]! - r[a]!).slice(0, 2).map((i) => `${cFixed6(r[i]!)}:${i}:${labels[i]}`)));
  });

  it('k above the class count gives every class; with binary_data the strings come length-prefixed', async () => {
    const beats = randomBeats(2, 140, 6);
    const json = await fetch(url, { method: 'POST', body: JSON.stringify({ inputs: [jsonInput(beats)], outputs: [{ name: 'probabilities', parameters: { classification: 9 } }] }) });
    const strings = ((await json.json()) as { outputs: { shape: number[]; data: string[] }[] }).outputs[0]!;
    expect(strings.shape).toEqual([2, 5]);
    const binary = await parseBinary(await postBinary({ inputs: [binaryInput(beats)], outputs: [{ name: 'probabilities', parameters: { classification: 9, binary_data: true } }] }, le(packed(beats))));
    expect(binary.header.outputs[0]).toEqual({ name: 'probabilities', datatype: 'BYTES', shape: [2, 5], parameters: { binary_data_size: binary.tail.length } });
    expect(stringsLE(binary.tail)).toEqual(strings.data);
  });

  it('"classification": 0 is the raw tensor; a negative or fractional count is a 400', async () => {
    const beats = randomBeats(1, 140, 7);
    const body = (classification: number) => JSON.stringify({ inputs: [jsonInput(beats)], outputs: [{ name: 'probabilities', parameters: { classification } }] });
    const raw = (await (await fetch(url, { method: 'POST', body: body(0) })).json()) as { outputs: { datatype: string; data: number[] }[] };
    expect(raw.outputs[0]!.datatype).toBe('FP32');
    assertClose(raw.outputs[0]!.data, tiny.expected(beats[0]!), TOLERANCES.onnxAbs);
    for (const [k, message] of [[-1, /classification must be >= 0/], [1.5, /classification must be integer/]] as const) {
      const res = await fetch(url, { method: 'POST', body: body(k) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('values print as C++ std::to_string(float): 6 decimals, an exact tie rounds half to even (glibc printf "%f")', () => {
    // Ties exist only where x * 128 is odd: 1/128 = 0.0078125 -> printf gives 0.007812, toFixed 0.007813.
    expect([1 / 128, 3 / 128, 5 / 128, 0.5, 1, 0, Math.fround(0.1), Math.fround(0.9002198)].map(cFixed6)).toEqual([
      '0.007812',
      '0.023438',
      '0.039062',
      '0.500000',
      '1.000000',
      '0.000000',
      '0.100000',
      '0.900220',
    ]);
    // Equal values keep index order (Triton's std::sort leaves ties unspecified).
    expect(classificationStrings(Float32Array.from([0.25, 0.5, 0.25, 0]), 1, 3, ['a', 'b', 'c', 'd'])).toEqual(['0.500000:1:b', '0.250000:0:a', '0.250000:2:c']);
  });
});
