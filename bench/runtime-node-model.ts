// The .onnx the Node-runtime benchmark times: the one named on the command line, else the trained
// test model's export (test-artifacts/runtime-node/model.onnx), else an untrained Table 1 model
// exported on the spot (same graph and cost; timings do not depend on the weights).
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ECG5000_CLASS_NAMES, classInfos } from '../core/spec.js';
import { writeOnnx } from '../export/node.js';
import { buildModel } from '../train/model.js';
import { saveModel } from '../train/save.js';

export const TRAINED_EXPORT = resolve(import.meta.dirname, '..', 'test-artifacts', 'runtime-node', 'model.onnx');

export async function benchModelPath(explicit: string | undefined): Promise<{ path: string; origin: string }> {
  if (explicit) return { path: explicit, origin: 'given' };
  if (await stat(TRAINED_EXPORT).then(() => true, () => false)) return { path: TRAINED_EXPORT, origin: 'trained test model' };
  const dir = await mkdtemp(join(tmpdir(), 'ecg-bench-model-'));
  const spec = { inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5'], ECG5000_CLASS_NAMES) };
  await saveModel(buildModel(spec), spec, join(dir, 'model'));
  const path = join(dir, 'model.onnx');
  await writeOnnx(join(dir, 'model'), path, { classes: spec.classes });
  return { path, origin: 'untrained Table 1 model' };
}
