// The reference side of parity: the saved TF.js training output (DIR/model: model.json + weights.bin,
// or an ensemble folder, whose answer is the mean of its members) loaded with @ecg-onnx/train (which
// registers ResetAfterGRU) and run with TF.js, batch by batch.
import * as tf from '@tensorflow/tfjs';
import { loadEnsemble, loadTrainedModel } from '@ecg-onnx/train';

export async function loadTfjsModel(path: string): Promise<tf.LayersModel> {
  return (await loadTrainedModel(path)).model;
}

/** What the ECG parity run predicts with: one model, or an ensemble's mean. */
export interface TfjsReference {
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[];
  dispose(): void;
}

export async function loadTfjsReference(path: string): Promise<TfjsReference> {
  const ensemble = await loadEnsemble(path);
  if (ensemble.models.length === 1) return ensemble.models[0]!;
  return {
    predict: (x) => tf.tidy(() => tf.div(tf.addN(ensemble.models.map((m) => m.predict(x) as tf.Tensor)), ensemble.models.length)) as tf.Tensor,
    dispose: () => ensemble.dispose(),
  };
}

/** Predicts [n, K] probabilities for packed beats [n, length, channels]. */
export function predictPacked(model: TfjsReference, packed: Float32Array, n: number, length: number, channels: number, batchSize = 256): Float32Array {
  const width = length * channels;
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const out = tf.tidy(() => model.predict(tf.tensor3d(packed.subarray(start * width, (start + m) * width), [m, length, channels])) as tf.Tensor);
    parts.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  const result = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (result.set(p, at), at + p.length), 0);
  return result;
}
