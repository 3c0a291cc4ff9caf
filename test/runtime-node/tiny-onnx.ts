// A tiny random ONNX classifier written byte by byte (Flatten -> Gemm -> Softmax) with our metadata,
// so the runtime's plumbing (server, predict, devices) is tested against the real onnxruntime-node
// without waiting for a trained model, and its exact answer can be recomputed here in float64.
import { encodeMetadata, INPUT_NAME, OUTPUT_NAME } from '../../core/metadata.js';
import { createRng } from '../../core/random.js';
import type { ClassInfo } from '../../core/spec.js';

export interface TinyModel {
  bytes: Uint8Array;
  classes: ClassInfo[];
  inputLength: number;
  channels: number;
  /** Weights [inputLength * channels, K] row-major, bias [K]. */
  weights: Float32Array;
  bias: Float32Array;
  /** float64 softmax(x W + b) for one beat. */
  expected(beat: ArrayLike<number>): number[];
}

// Protobuf wire format: just what ModelProto needs (varints, length-delimited fields, packed floats).
const utf8 = new TextEncoder();
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  if (v < 0) throw new Error('tiny-onnx: negative varints are not needed here');
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytesField = (field: number, b: ArrayLike<number>) => [...key(field, 2), ...varint(b.length), ...Array.from(b)];
const str = (field: number, s: string) => bytesField(field, utf8.encode(s));
const msg = (field: number, parts: number[][]) => bytesField(field, parts.flat());

function tensor(name: string, dims: number[], data: Float32Array): number[][] {
  return [...dims.map((d) => int(1, d)), int(2, 1 /* FLOAT */), str(8, name), bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))];
}
function valueInfo(name: string, dims: (number | string)[]): number[][] {
  const dim = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return [str(1, name), msg(2, [msg(1, [int(1, 1 /* FLOAT */), msg(2, dim)])])];
}
function node(op: string, inputs: string[], outputs: string[], attrs: number[][][] = []): number[][] {
  return [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, op.toLowerCase()), str(4, op), ...attrs.map((a) => msg(5, a))];
}

export function tinyOnnxModel(options: { inputLength?: number; channels?: number; classes?: ClassInfo[]; seed?: number; metadata?: boolean; graph?: boolean } = {}): TinyModel {
  const inputLength = options.inputLength ?? 140;
  const channels = options.channels ?? 1;
  const classes = options.classes ?? ['1', '2', '3', '4', '5'].map((label) => ({ label, name: `class ${label}` }));
  const width = inputLength * channels;
  const k = classes.length;
  const rng = createRng(options.seed ?? 7);
  const weights = Float32Array.from({ length: width * k }, () => (rng.next() - 0.5) * 0.6);
  const bias = Float32Array.from({ length: k }, () => rng.next() - 0.5);
  const graph = [
    msg(1, node('Flatten', [INPUT_NAME], ['flat'], [[str(1, 'axis'), int(3, 1), int(20, 2 /* INT */)]])),
    msg(1, node('Gemm', ['flat', 'W', 'B'], ['logits'])),
    msg(1, node('Softmax', ['logits'], [OUTPUT_NAME], [[str(1, 'axis'), int(3, 1), int(20, 2)]])),
    str(2, 'tiny'),
    msg(5, tensor('W', [width, k], weights)),
    msg(5, tensor('B', [k], bias)),
    msg(11, valueInfo(INPUT_NAME, ['N', inputLength, channels])),
    msg(12, valueInfo(OUTPUT_NAME, ['N', k])),
  ];
  const props = options.metadata === false ? {} : encodeMetadata({ classes, inputLength, channels, output: 'class probabilities (softmax), shape [N, K]' });
  const model = [
    int(1, 8), // ir_version
    str(2, 'tiny-onnx test fixture'),
    ...(options.graph === false ? [] : [msg(7, graph)]),
    msg(8, [str(1, ''), int(2, 13)]),
    ...Object.entries(props).map(([k2, v]) => msg(14, [str(1, k2), str(2, v)])),
  ];
  const expected = (beat: ArrayLike<number>): number[] => {
    const logits = Array.from(bias, Number);
    for (let i = 0; i < width; i++) for (let c = 0; c < k; c++) logits[c]! += Math.fround(beat[i]!) * weights[i * k + c]!;
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  return { bytes: Uint8Array.from(model.flat()), classes, inputLength, channels, weights, bias, expected };
}

/** Deterministic pseudo-random beats (values in [-2, 2]). */
export function randomBeats(n: number, width: number, seed = 1): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: width }, () => (rng.next() - 0.5) * 4));
}
