// The standard TF.js layers-model format (model.json + .bin weight shards, or the ModelArtifacts that
// `model.save()` hands an IOHandler), read without TF.js and without any Node module: the exporter must
// run in browsers and where no TF.js backend is installed, and must never execute the model.
// Accepts what `model.save(...)` and tensorflowjs_converter write, including quantized weights.
import { ModelFormatError } from '@ecg-onnx/core';
import { sha256Hex } from './sha256.js';

export interface WeightTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** One weightsManifest group: its entries and the bytes of its shards, concatenated. */
export interface WeightGroup {
  specs: ManifestEntry[];
  data: Uint8Array;
  /** e.g. "model.json weightsManifest[0]", for messages. */
  where: string;
}

/** A layers model as read from any source: what the exporter needs, nothing environment-specific. */
export interface LoadedLayersModel {
  /** Where it came from (a path, a URL, "in-memory LayersModel"): every error message starts with it. */
  label: string;
  /** The Keras model topology (modelTopology in model.json). */
  topology: Record<string, unknown>;
  groups: WeightGroup[];
  /** model.json's userDefinedMetadata, if any. */
  userDefinedMetadata: Record<string, unknown> | undefined;
}

/** model.json parsed and checked: the topology, the manifest groups still to be read, the metadata. */
export interface ModelJson {
  topology: Record<string, unknown>;
  manifest: { paths: string[]; weights: ManifestEntry[] }[];
  userDefinedMetadata: Record<string, unknown> | undefined;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Checks that a topology is a Keras layers topology, not a graph model's GraphDef. */
export function checkTopology(topology: unknown, format: unknown, label: string): Record<string, unknown> {
  const t = asRecord(topology);
  if (format === 'graph-model' || (t && 'node' in t)) {
    throw new ModelFormatError(`${label}: this is a TF.js graph model (a converted SavedModel); the exporter reads layers models only (model.json with a Keras modelTopology)`);
  }
  if (!t) throw new ModelFormatError(`${label}: has no "modelTopology"; not a TF.js layers model`);
  return t;
}

/** Parses model.json text (or bytes); errors name `label`. */
export function parseModelJson(text: string | Uint8Array, label: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch (e) {
    throw new ModelFormatError(`${label}: not valid JSON (${(e as Error).message}); the file is corrupt, re-save the model`);
  }
  const obj = asRecord(json);
  if (!obj) throw new ModelFormatError(`${label}: expected a JSON object with modelTopology and weightsManifest`);
  const topology = checkTopology(obj.modelTopology, obj.format, label);
  const manifest = obj.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${label}: has no "weightsManifest" array; the weights cannot be found`);
  manifest.forEach((group, g) => {
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(weights) || paths.some((p) => typeof p !== 'string')) {
      throw new ModelFormatError(`${label}: weightsManifest[${g}] needs "paths" (file names) and "weights" arrays`);
    }
  });
  return { topology, manifest: manifest as ModelJson['manifest'], userDefinedMetadata: asRecord(obj.userDefinedMetadata) };
}

/** Reads one shard named in the manifest (relative to model.json); throws a ModelFormatError naming it. */
export type ShardReader = (path: string) => Promise<Uint8Array>;

/** Reads every group's shards in manifest order. */
export async function readWeightGroups(json: ModelJson, label: string, readShard: ShardReader): Promise<WeightGroup[]> {
  const groups: WeightGroup[] = [];
  for (const [g, group] of json.manifest.entries()) {
    const shards: Uint8Array[] = [];
    for (const path of group.paths) shards.push(await readShard(path));
    groups.push({ specs: group.weights, data: concatBytes(shards), where: `${label} weightsManifest[${g}]` });
  }
  return groups;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Every weight, decoded to float32, keyed by its manifest name; byte counts must match exactly. */
export function decodeWeights(model: LoadedLayersModel): Map<string, WeightTensor> {
  const weights = new Map<string, WeightTensor>();
  for (const group of model.groups) {
    let offset = 0;
    for (const spec of group.specs) {
      const { tensor, bytes } = decodeWeight(spec, group.data, offset, group.where);
      weights.set(spec.name, tensor);
      offset += bytes;
    }
    if (offset !== group.data.byteLength) {
      throw new ModelFormatError(`${group.where} describes ${offset} bytes but its shards hold ${group.data.byteLength}; the weights files do not match model.json`);
    }
  }
  return weights;
}

/** JSON with object keys sorted at every level: the same content gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Identifies the source model by content, whatever it was read from (files, artifacts, memory):
 * SHA-256 over the canonical JSON of {modelTopology, weightSpecs}, a newline, then every weight byte
 * in manifest order. The same model saved to disk and held in memory hash alike.
 */
export function sourceSha256(model: LoadedLayersModel): Promise<string> {
  const specs = model.groups.flatMap((g) => g.specs);
  const head = new TextEncoder().encode(`${canonicalJson({ modelTopology: model.topology, weightSpecs: specs })}\n`);
  return sha256Hex(concatBytes([head, ...model.groups.map((g) => g.data)]));
}

const BYTES: Readonly<Record<string, number>> = Object.freeze({ float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 });

function decodeWeight(spec: ManifestEntry, buffer: Uint8Array, offset: number, where: string): { tensor: WeightTensor; bytes: number } {
  if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape)) throw new ModelFormatError(`${where}: weight entry needs "name" and "shape"`);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES[stored];
  if (width === undefined || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
    throw new ModelFormatError(`${where}: weight "${spec.name}" has dtype ${spec.dtype}${spec.quantization ? ` quantized as ${stored}` : ''}; supported: float32/int32, quantized uint8/uint16/float16`);
  }
  const bytes = size * width;
  if (offset + bytes > buffer.byteLength) {
    throw new ModelFormatError(`${where}: weight "${spec.name}" needs bytes ${offset}..${offset + bytes} but the shards hold ${buffer.byteLength}; a weights file is truncated or belongs to another model`);
  }
  // DataView reads little-endian whatever the host's byte order (the format is little-endian).
  const view = new DataView(buffer.buffer, buffer.byteOffset + offset, bytes);
  const data = new Float32Array(size);
  const q = spec.quantization;
  for (let i = 0; i < size; i++) {
    if (stored === 'float32') data[i] = view.getFloat32(i * 4, true);
    else if (stored === 'int32') data[i] = view.getInt32(i * 4, true);
    else if (stored === 'float16') data[i] = halfToFloat(view.getUint16(i * 2, true));
    else {
      // tensorflowjs_converter affine quantization: value = min + scale * q.
      const raw = stored === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      data[i] = (q?.min ?? 0) + (q?.scale ?? 1) * raw;
    }
  }
  return { tensor: { name: spec.name, shape: spec.shape, data }, bytes };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
