// What parity feeds a model of any signature: its inputs read from .npy or .json files (one per
// graph input, in input order), or seeded random inputs of the signature (floats in [-1, 1); ids in
// [0, vocabulary) for int32 inputs and float inputs an Embedding reads). Errors name the file.
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '@ecg-onnx/core';

/** A bad inputs file: the message starts with the file. */
const inputError = (file: string | undefined, problem: string) => new InvalidInputError(undefined, file === undefined ? problem : `${file}: ${problem}`);

/** One graph input's data. */
export interface Feed {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A graph input as onnxruntime describes it (dims: numbers, or names when dynamic). */
export interface InputSignature {
  name: string;
  dtype: 'float32' | 'int32';
  shape: (number | string)[];
}

const NPY_TYPES: Readonly<Record<string, (view: DataView, i: number) => number>> = Object.freeze({
  '<f4': (v, i) => v.getFloat32(i * 4, true),
  '<f8': (v, i) => v.getFloat64(i * 8, true),
  '<i4': (v, i) => v.getInt32(i * 4, true),
  '<i8': (v, i) => Number(v.getBigInt64(i * 8, true)),
  '|u1': (v, i) => v.getUint8(i),
  '|b1': (v, i) => v.getUint8(i),
});

/** A NumPy .npy array (format 1.x-3.x, little-endian or byte types, C order). */
export function parseNpy(bytes: Uint8Array, file: string): { shape: number[]; values: Float64Array } {
  const bad = (why: string): never => {
    throw inputError(file, `not a readable .npy file: ${why}; save it with numpy.save(path, array) (float32/float64/int32/int64, C order)`);
  };
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== '\x93NUMPY') bad('no NUMPY magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) bad(`header ${JSON.stringify(header.trim())} has no descr or shape`);
  if (fortran) bad('Fortran order (use numpy.ascontiguousarray)');
  const read = NPY_TYPES[descr!] ?? bad(`dtype ${descr} (supported: ${Object.keys(NPY_TYPES).join(', ')})`);
  const shape = shapeText!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const width = Number(descr!.slice(2));
  const data = new DataView(bytes.buffer, bytes.byteOffset + start + headerLength);
  if (data.byteLength < count * width) bad(`${count} values of ${width} bytes expected, the file holds ${data.byteLength} bytes`);
  return { shape, values: Float64Array.from({ length: count }, (_, i) => read(data, i)) };
}

/** A nested JSON array: its shape and values, row-major; ragged arrays are refused. */
function parseNested(value: unknown, file: string, where: string): { shape: number[]; values: number[] } {
  if (typeof value === 'number') return { shape: [], values: [value] };
  if (!Array.isArray(value) || value.length === 0) throw inputError(file, `${where} must be a non-empty (nested) array of numbers`);
  const parts = value.map((v, i) => parseNested(v, file, `${where}[${i}]`));
  const inner = parts[0]!.shape;
  if (parts.some((p) => p.shape.join() !== inner.join())) throw inputError(file, `${where} is ragged: every row needs shape [${inner}]`);
  return { shape: [value.length, ...inner], values: parts.flatMap((p) => p.values) };
}

function toFeed(input: InputSignature, shape: number[], values: ArrayLike<number>, file: string): Feed {
  const want = input.shape;
  const fits = shape.length === want.length && shape.every((d, i) => typeof want[i] !== 'number' || want[i] === d);
  if (!fits) throw inputError(file, `input "${input.name}" needs shape [${want.join(', ')}], the file holds [${shape.join(', ')}]`);
  if (input.dtype === 'int32' && !Array.from(values).every(Number.isInteger)) throw inputError(file, `input "${input.name}" is int32, but the file holds non-integer values`);
  return { name: input.name, dtype: input.dtype, shape, data: input.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values) };
}

/**
 * Reads the inputs from files: one .npy per graph input (in input order), or one .json holding an
 * object keyed by input name, or an array with one nested array per input (a bare nested array when
 * the model has one input).
 */
export async function readInputs(files: string[], signature: InputSignature[]): Promise<Feed[]> {
  if (files.length === 1 && files[0]!.toLowerCase().endsWith('.json')) {
    const file = files[0]!;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw inputError(file, `cannot read JSON inputs (${(e as Error).message})`);
    }
    const record = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    const list = record ? signature.map((s) => record[s.name]) : signature.length === 1 ? [json] : (json as unknown[]);
    if (!Array.isArray(list) || list.length !== signature.length || list.some((v) => v === undefined)) {
      throw inputError(file, `needs ${signature.length} input(s) (${signature.map((s) => s.name).join(', ')}): an object keyed by input name, or an array of one nested array per input`);
    }
    return signature.map((s, i) => {
      const { shape, values } = parseNested(list[i], file, record ? `"${s.name}"` : `input ${i}`);
      return toFeed(s, shape, values, file);
    });
  }
  if (files.length !== signature.length) {
    throw inputError(files[0], `the model has ${signature.length} inputs (${signature.map((s) => s.name).join(', ')}); pass one .npy per input, in that order, or one .json`);
  }
  return Promise.all(files.map(async (file, i) => {
    if (!file.toLowerCase().endsWith('.npy')) throw inputError(file, 'inputs must be .npy (one per graph input) or one .json file');
    const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw inputError(file, `cannot read (${e.code ?? e.message})`);
    });
    const { shape, values } = parseNpy(new Uint8Array(bytes), file);
    return toFeed(signature[i]!, shape, values, file);
  }));
}

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomFeedOptions {
  n: number;
  seed: number;
  /** Sizes for dims the signature leaves dynamic (after the batch), per input; default `length`. */
  dims: (number | null)[][];
  length: number;
  /** Vocabulary per input when it holds ids (int32, or read by an Embedding); undefined for plain floats. */
  vocabulary: (number | undefined)[];
}

export function randomFeeds(signature: InputSignature[], o: RandomFeedOptions): Feed[] {
  const next = rng(o.seed);
  return signature.map((s, i) => {
    const shape = s.shape.map((d, a) => (a === 0 ? o.n : typeof d === 'number' ? d : (o.dims[i]?.[a] ?? o.length)));
    const count = shape.reduce((p, q) => p * q, 1);
    const vocab = o.vocabulary[i];
    const values = Float64Array.from({ length: count }, () => (vocab === undefined ? next() * 2 - 1 : Math.floor(next() * vocab)));
    return { name: s.name, dtype: s.dtype, shape, data: s.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values) };
  });
}
