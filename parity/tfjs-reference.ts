// The reference side of parity: the saved TF.js training output (DIR/model: model.json + weights.bin)
// loaded with train/save.ts (which registers ResetAfterGRU) and run with TF.js, batch by batch.
import * as tf from '@tensorflow/tfjs';
import { loadTrainedModel } from '@ecg-onnx/train';

export async function loadTfjsModel(path: string): Promise<tf.LayersModel> {
  return (await loadTrainedModel(path)).model;
}

/** Predicts [n, K] probabilities for packed beats [n, length, channels]. */
export function predictPacked(model: tf.LayersModel, packed: Float32Array, n: number, length: number, channels: number, batchSize = 256): Float32Array {
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
