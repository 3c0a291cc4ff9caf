// An ensemble folder (ensemble.json naming K member model folders) as one predictor whose output is
// the mean of the members' probabilities: what evaluation, parity and a distillation teacher read. A
// plain model folder is an ensemble of one.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, ModelFormatError, type ModelSpec } from '@ecg-onnx/core';
import { loadTrainedModel } from './save.js';

export const ENSEMBLE_FILE = 'ensemble.json';

export interface EnsembleManifest {
  format: 'ecg-onnx-ensemble';
  /** Member model folders (model.json + weights), relative to the ensemble folder. */
  members: string[];
  seeds: number[];
}

export interface LoadedEnsemble {
  models: tf.LayersModel[];
  spec: ModelSpec | undefined;
  /** Mean of the members' probabilities for n beats (x row-major [n, length]). */
  predict(x: Float32Array, n: number): Float32Array;
  dispose(): void;
}

export async function readEnsembleManifest(dir: string): Promise<EnsembleManifest | undefined> {
  const text = await readFile(join(dir, ENSEMBLE_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let m: EnsembleManifest;
  try {
    m = JSON.parse(text) as EnsembleManifest;
  } catch {
    throw new ModelFormatError(`${join(dir, ENSEMBLE_FILE)}: not valid JSON`);
  }
  if (m.format !== 'ecg-onnx-ensemble' || !Array.isArray(m.members) || m.members.length === 0) {
    throw new ModelFormatError(`${join(dir, ENSEMBLE_FILE)}: expected {"format": "ecg-onnx-ensemble", "members": [model folders]}`);
  }
  return m;
}

/** A model folder or an ensemble folder, as one predictor (a single model is an ensemble of one). */
export async function loadEnsemble(dir: string): Promise<LoadedEnsemble> {
  const manifest = await readEnsembleManifest(dir);
  const paths = manifest ? manifest.members.map((m) => join(dir, m)) : [dir];
  const loaded = await Promise.all(paths.map((p) => loadTrainedModel(p)));
  const models = loaded.map((l) => l.model);
  const length = models[0]!.inputs[0]!.shape[1] as number;
  const channels = (models[0]!.inputs[0]!.shape[2] as number) ?? 1;
  return {
    models,
    spec: loaded[0]!.spec,
    predict(x, n) {
      return tf.tidy(() => {
        const xs = tf.tensor3d(x, [n, length, channels]);
        const probs = models.map((m) => m.predict(xs) as tf.Tensor);
        return (models.length === 1 ? probs[0]! : tf.div(tf.addN(probs), models.length)).dataSync() as Float32Array;
      });
    },
    dispose: () => models.forEach((m) => m.dispose()),
  };
}

/** The teacher of a distillation run: its classes must be the student's, in the same order. */
export async function loadTeacher(dir: string, spec: ModelSpec): Promise<LoadedEnsemble> {
  const teacher = await loadEnsemble(dir);
  const labels = teacher.spec?.classes.map((c) => c.label).join(',');
  if (labels !== undefined && labels !== spec.classes.map((c) => c.label).join(',')) {
    teacher.dispose();
    throw new InvalidInputError(undefined, `--teacher ${dir} predicts classes ${labels}, the data has ${spec.classes.map((c) => c.label).join(',')}`);
  }
  return teacher;
}
