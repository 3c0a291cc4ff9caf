// Shared fixtures for the exporter tests: save a TF.js model in the standard layers format, run an
// .onnx in onnxruntime-node, and validate it with Debian's onnx.checker (full_check).
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll } from 'vitest';
import { INPUT_NAME, OUTPUT_NAME } from '../../core/metadata.js';
import '../../train/gru.js';

const created: string[] = [];
const cleanup = () => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
// Registered on import, so before a test file's own hooks: vitest runs after-hooks in reverse order,
// so this runs after the file's onnx.checker pass over the files in these folders.
if (process.env.VITEST) afterAll(cleanup);

/** A fresh temporary folder, removed after the test file (or when the process exits). */
export async function tempDir(prefix = 'ecg-export-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes model.json + weights.bin exactly as tfjs's file handlers lay them out. */
export async function saveLayersModel(model: tf.LayersModel, dir: string, userDefinedMetadata?: Record<string, unknown>): Promise<string> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      await writeFile(join(dir, 'weights.bin'), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return dir;
}

export function randomInput(n: number, shape: number[], seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 4 - 2;
  }
  return out;
}

export function tfPredict(model: tf.LayersModel, data: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).dataSync() as Float32Array);
}

const sessions = new WeakMap<Uint8Array, Promise<ort.InferenceSession>>();

export async function ortPredict(bytes: Uint8Array, data: Float32Array, shape: number[]): Promise<Float32Array> {
  let s = sessions.get(bytes);
  if (!s) {
    s = ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    sessions.set(bytes, s);
  }
  const session = await s;
  const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', data, shape) });
  return out[OUTPUT_NAME]!.data as Float32Array;
}

/** One named graph input's data, as both TF.js and onnxruntime take it. */
export interface Feed {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Seeded random inputs for the graph inputs `inputs` (from the .onnx: names, shapes with 'N' and
 * other dynamic dims, dtypes): floats in [-2, 2), ids in [0, vocabulary) (int32 inputs, and float
 * inputs read by an Embedding) where the vocabulary is the smallest Embedding input_dim of the model.
 * Dynamic dims other than the batch get `time`.
 */
export function randomFeeds(model: tf.LayersModel, n: number, seed: number, inputs: { name: string; shape: (number | string)[]; dtype: string }[], time = 7): Feed[] {
  const vocab = Math.min(...model.layers.filter((l) => l.getClassName() === 'Embedding').map((l) => (l.getConfig().inputDim as number) ?? 10), 1000);
  return inputs.map((input, i) => {
    const shape = input.shape.map((d, a) => (a === 0 ? n : typeof d === 'number' ? d : time));
    const floats = randomInput(1, shape, seed + 7919 * i);
    const ids = () => Int32Array.from(floats, (v) => Math.min(vocab - 1, Math.floor(((v + 2) / 4) * vocab)));
    if (input.dtype === 'int32') return { name: input.name, dtype: 'int32', shape, data: ids() };
    // Float ids (an Embedding reading a float32 input) must still be valid rows.
    const feedsEmbedding = model.inputLayers[i]!.outboundNodes.some((node) => node.outboundLayer.getClassName() === 'Embedding');
    return { name: input.name, dtype: 'float32', shape, data: feedsEmbedding ? Float32Array.from(ids()) : floats };
  });
}

/** TF.js predict of every output, flattened, in model.outputs order. */
export function tfPredictFeeds(model: tf.LayersModel, feeds: Feed[]): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(feeds.map((f) => tf.tensor(f.data, f.shape, f.dtype)));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** onnxruntime-node (1 thread) on named feeds; every graph output in graph order. */
export async function ortRunFeeds(bytes: Uint8Array, feeds: Feed[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor(f.dtype, f.data, f.shape)])));
    return session.outputNames.map((name) => out[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** onnxruntime-web's WASM provider in Node (numThreads 1, model bytes); every graph output in graph order. */
export async function ortWebRunFeeds(bytes: Uint8Array, feeds: Feed[]): Promise<Float32Array[]> {
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = 1;
  const session = await web.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  try {
    const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new web.Tensor(f.dtype, f.data, f.shape)])));
    return session.outputNames.map((name) => out[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

const CHECKER = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
print("ok")
`;

/** onnx.checker.check_model(full_check=True) on each file; a missing checker fails with the apt command. */
export function onnxCheck(...paths: string[]): void {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error('onnx.checker is not available: install it with "sudo apt-get install -y python3-onnx python3-numpy" (CI does this in .ci/run)');
  }
  execFileSync('/usr/bin/python3', ['-c', CHECKER, ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
