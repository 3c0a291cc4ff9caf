// Test-set evaluation of a tfjs model: batched inference, then the shared report of core/metrics.ts,
// so `ecg train`, `ecg eval` and the parity checks describe a model with the same numbers.
import * as tf from '@tensorflow/tfjs';
import { argmax, classificationReport, type ClassificationReport, ModelFormatError, type ModelSpec } from '@ecg-onnx/core';
import { findSplitFiles, readUcrFile, specFromDataset, toLabelledBeats, type LabelledBeats } from './data.js';
import { loadEnsemble } from './ensemble-model.js';
import { predictWith } from './predict-batches.js';

export { predictWith } from './predict-batches.js';

/** Softmax outputs for every beat, row-major [count, K], in inference mode. */
export function predictProbabilities(model: tf.LayersModel, beats: LabelledBeats, batchSize = 500): Float32Array {
  return predictWith(
    (x, n) => tf.tidy(() => (model.predict(tf.tensor3d(x, [n, beats.length, 1])) as tf.Tensor).dataSync() as Float32Array),
    beats,
    batchSize,
  );
}

export function evaluateModel(model: tf.LayersModel, beats: LabelledBeats, spec: ModelSpec): ClassificationReport {
  return reportFromProbabilities(predictProbabilities(model, beats), beats.y, spec);
}

/** The report of row-major [n, K] probabilities against class indices. */
export function reportFromProbabilities(probs: ArrayLike<number>, truth: ArrayLike<number>, spec: ModelSpec): ClassificationReport {
  const k = spec.classes.length;
  const predicted = Array.from({ length: truth.length }, (_, i) => argmax(probs, i * k, k));
  return classificationReport(truth, predicted, spec.classes);
}

export interface SavedModelEvaluation {
  report: ClassificationReport;
  spec: ModelSpec;
  testFile: string;
}

/**
 * Reloads a saved model or ensemble folder and scores it on the UCR test file of `dataDir`, encoding
 * labels in the model's own class order. The test file's length must match the model.
 */
export async function evaluateSavedModel(modelDir: string, dataDir: string): Promise<SavedModelEvaluation> {
  const ensemble = await loadEnsemble(modelDir);
  const model = ensemble.models[0]!;
  const savedSpec = ensemble.spec;
  try {
    const files = await findSplitFiles(dataDir);
    const inputLength = model.inputs[0]!.shape[1];
    if (typeof inputLength !== 'number') throw new ModelFormatError(`${modelDir}: the model's input length is not fixed`);
    // A model.json without our spec (saved elsewhere) falls back to the training file's labels.
    const spec = savedSpec ?? specFromDataset(await readUcrFile(files.train, inputLength));
    const testSet = await readUcrFile(files.test, inputLength);
    const beats = toLabelledBeats(testSet, spec.classes.map((c) => c.label));
    return { report: reportFromProbabilities(predictWith(ensemble.predict, beats), beats.y, spec), spec, testFile: files.test };
  } finally {
    ensemble.dispose();
  }
}
