// The training loss and the inference-mode evaluation of it, shared by the fit loop, the data-parallel
// replicas and evaluation.
import * as tf from '@tensorflow/tfjs';
import type { LabelledBeats } from './data.js';

/** Keras's categorical cross-entropy on probabilities: clip to [1e-7, 1 - 1e-7], mean over the batch. */
export function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1)))) as tf.Scalar;
}

/** Loss and accuracy of `model` on `data` in inference mode (no dropout, moving BN statistics). */
export function evaluateLoss(model: tf.LayersModel, data: LabelledBeats, numClasses: number, batchSize = 256): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const [l, c] = tf.tidy(() => {
      const x = tf.tensor3d(data.x.subarray(start * data.length, (start + n) * data.length), [n, data.length, 1]);
      const labels = tf.tensor1d(data.y.subarray(start, start + n), 'int32');
      const probs = model.predict(x) as tf.Tensor;
      const loss = tf.mul(crossEntropy(probs, tf.oneHot(labels, numClasses)), n);
      return [loss.dataSync()[0]!, tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32')).dataSync()[0]!];
    });
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count };
}
