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
