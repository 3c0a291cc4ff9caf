// The training loss and the inference-mode evaluation of it, shared by the fit loop, the data-parallel
// replicas and evaluation.
import * as tf from '@tensorflow/tfjs';
import type { LabelledBeats } from './data.js';
import { predictWith } from './predict-batches.js';

/**
 * Keras's categorical cross-entropy on probabilities: clip to [1e-7, 1 - 1e-7], mean over the batch.
 * `targets` are one-hot or soft (a teacher's probabilities); `weights` (one per row, e.g. class
 * weights) give Keras's weighted mean, sum(w_i * ce_i) / n.
 */
export function crossEntropy(probs: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perRow = tf.sum(tf.mul(targets, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1);
    return tf.neg(tf.mean(weights ? tf.mul(perRow, weights) : perRow));
  }) as tf.Scalar;
}

/** Balanced class weights n / (K * n_k), as scikit-learn's class_weight='balanced' (a missing class gets 0). */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
}

/**
 * Square-root class weights: sqrt(n / (K n_k)), scaled so the mean weight over the beats is 1 (as for
 * balanced weights), a gentler push toward the rare classes (ECG5000's TRAIN: 0.59 .. 7.1 where
 * balanced gives 0.34 .. 50). A missing class gets 0.
 */
export function sqrtClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const raw = counts.map((c) => (c === 0 ? 0 : Math.sqrt(labels.length / (numClasses * c))));
  const mean = raw.reduce((s, w, k) => s + w * counts[k]!, 0) / labels.length;
  return raw.map((w) => w / mean);
}

/** Loss and accuracy of `model` on `data` in inference mode (no dropout, moving BN statistics). */
export function evaluateLoss(model: tf.LayersModel, data: LabelledBeats, numClasses: number, batchSize = 256): { loss: number; accuracy: number } {
  const predict = (x: Float32Array, n: number) => tf.tidy(() => (model.predict(tf.tensor3d(x, [n, data.length, 1])) as tf.Tensor).dataSync() as Float32Array);
  return lossFromProbabilities(predictWith(predict, data, batchSize), data.y, numClasses, batchSize);
}

/**
 * Loss and accuracy of inference-mode probabilities ([count, K], row-major; from any number of
 * replicas: a beat's probabilities do not depend on the batch it was in), reduced in chunks of
 * `batchSize` as evaluateLoss does, so both give the same bits.
 */
export function lossFromProbabilities(probs: Float32Array, y: Int32Array, numClasses: number, batchSize = 256): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < y.length; start += batchSize) {
    const n = Math.min(batchSize, y.length - start);
    const [l, c] = tf.tidy(() => {
      const p = tf.tensor2d(probs.subarray(start * numClasses, (start + n) * numClasses), [n, numClasses]);
      const labels = tf.tensor1d(y.subarray(start, start + n), 'int32');
      const loss = tf.mul(crossEntropy(p, tf.oneHot(labels, numClasses)), n);
      return [loss.dataSync()[0]!, tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), labels), 'float32')).dataSync()[0]!];
    });
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / y.length, accuracy: correct / y.length };
}
