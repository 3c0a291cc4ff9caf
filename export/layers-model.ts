// Reads the standard TF.js layers-model format (model.json + .bin weight shards) without TF.js:
// the exporter must run where no TF.js backend is installed and must never execute the model.
// Accepts what `model.save(...)` and tensorflowjs_converter write, including quantized weights.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelFormatError } from '../core/errors.js';

export interface WeightTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface LayersModelFiles {
  /** model.json path (for messages). */
  path: string;
  /** The Keras model topology (modelTopology in model.json). */
  topology: Record<string, unknown>;
  weights: Map<string, WeightTensor>;
  /** model.json's userDefinedMetadata, if any. */
  userDefinedMetadata: Record<string, unknown> | undefined;
  /** SHA-256 over model.json and every shard, in manifest order: identifies the source model. */
  sha256: string;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** Accepts a directory holding model.json or the model.json path itself. */
export async function resolveModelJson(modelPath: string): Promise<string> {
  const s = await stat(modelPath).catch(() => undefined);
  if (!s) throw new ModelFormatError(`${modelPath}: no such file or directory; pass the folder holding model.json (e.g. runs/latest/model) or model.json itself`);
  const json = s.isDirectory() ? join(modelPath, 'model.json') : modelPath;
  if (s.isDirectory() && !(await stat(json).catch(() => undefined))) {
    throw new ModelFormatError(`${modelPath}: folder has no model.json; pass the folder written by "ecg train" (DIR/model) or by tfjs model.save`);
  }
  return json;
}

export async function readLayersModel(modelPath: string): Promise<LayersModelFiles> {
  const path = await resolveModelJson(modelPath);
  const jsonBytes = await readFile(path);
  const hash = createHash('sha256').update(jsonBytes);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(jsonBytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFormatError(`${path}: not valid JSON (${(e as Error).message}); the file is corrupt, re-save the model`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(`${path}: expected a JSON object with modelTopology and weightsManifest`);
  const topology = json.modelTopology as Record<string, unknown> | undefined;
  if (json.format === 'graph-model' || (topology && 'node' in topology)) {
    throw new ModelFormatError(`${path}: this is a TF.js graph model (a converted SavedModel); the exporter reads layers models only (model.json with a Keras modelTopology)`);
  }
  if (!topology || typeof topology !== 'object') throw new ModelFormatError(`${path}: has no "modelTopology"; not a TF.js layers model`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${path}: has no "weightsManifest" array; the weights cannot be found`);

  const weights = new Map<string, WeightTensor>();
  for (const [g, group] of manifest.entries()) {
    const paths = (group as { paths?: unknown }).paths;
    const specs = (group as { weights?: unknown }).weights;
    if (!Array.isArray(paths) || !Array.isArray(specs)) throw new ModelFormatError(`${path}: weightsManifest[${g}] needs "paths" and "weights" arrays`);
    const shards: Buffer[] = [];
    for (const p of paths as string[]) {
      const file = join(dirname(path), p);
      const buf = await readFile(file).catch((e: NodeJS.ErrnoException) => {
        throw new ModelFormatError(`${file}: weights shard listed in ${path} cannot be read (${e.code ?? e.message}); copy it next to model.json`);
      });
      hash.update(buf);
      shards.push(buf);
    }
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const spec of specs as ManifestEntry[]) {
      const { tensor, bytes } = decodeWeight(spec, buffer, offset, `${path} weightsManifest[${g}]`);
      weights.set(spec.name, tensor);
      offset += bytes;
    }
    if (offset !== buffer.length) {
      throw new ModelFormatError(`${path}: weightsManifest[${g}] describes ${offset} bytes but its shards hold ${buffer.length}; the weights files do not match model.json`);
    }
  }
  const udm = json.userDefinedMetadata;
  return {
    path,
    topology,
    weights,
    userDefinedMetadata: udm && typeof udm === 'object' ? (udm as Record<string, unknown>) : undefined,
    sha256: hash.digest('hex'),
  };
}

const BYTES: Readonly<Record<string, number>> = Object.freeze({ float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 });

function decodeWeight(spec: ManifestEntry, buffer: Buffer, offset: number, where: string): { tensor: WeightTensor; bytes: number } {
  if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape)) throw new ModelFormatError(`${where}: weight entry needs "name" and "shape"`);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES[stored];
  if (width === undefined || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
    throw new ModelFormatError(`${where}: weight "${spec.name}" has dtype ${spec.dtype}${spec.quantization ? ` quantized as ${stored}` : ''}; supported: float32/int32, quantized uint8/uint16/float16`);
  }
  const bytes = size * width;
  if (offset + bytes > buffer.length) {
    throw new ModelFormatError(`${where}: weight "${spec.name}" needs bytes ${offset}..${offset + bytes} but the shards hold ${buffer.length}; a weights file is truncated or belongs to another model`);
  }
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
