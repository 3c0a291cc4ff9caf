// The training loop: seeded shuffling, augmentation of training batches, Adam, validation each
// epoch and best-validation weights. Written by hand rather than with model.fit because fit()
// shuffles with Math.random and cannot augment per batch, and both must repeat for a seed.
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace, type Rng } from '@ecg-onnx/core';
import { augmentBatch, type AugmentOptions } from './augment.js';
import { selectRows, type LabelledBeats } from './data.js';

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Adam step size (Keras's default 1e-3; the paper does not give one). */
  learningRate: number;
  /** constant (paper) or cosine decay from learningRate to learningRate/100 over all steps. */
  schedule: LrSchedule;
  seed: number;
  augment: AugmentOptions;
  numClasses: number;
  /** Called after every training batch (progress bars). */
  onBatch?: (epoch: number, batch: number, batches: number) => void;
  /** Called after every epoch with that epoch's record. */
  onEpoch?: (record: EpochRecord) => void;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training loss/accuracy over the epoch's batches (with dropout and augmentation), as Keras reports. */
  loss: number;
  accuracy: number;
  /** null under the 'full' protocol (no validation set). */
  valLoss: number | null;
  valAccuracy: number | null;
  /** Wall-clock seconds of the epoch's training steps (validation excluded). */
  seconds: number;
  learningRate: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** 1-based epoch whose weights the model now holds (lowest validation loss; the last epoch without validation). */
  bestEpoch: number;
  trainSeconds: number;
  trainSamplesPerSecond: number;
}

/** Keras's categorical cross-entropy on probabilities: clip to [1e-7, 1 - 1e-7], mean over the batch. */
export function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1)))) as tf.Scalar;
}

/**
 * TF.js Dropout with a fixed seed draws the same mask on every call, and without one it seeds
 * from Math.random. So before every step each Dropout layer gets a fresh seed from our rng: new
 * masks every step, the same sequence for the same seed. Returns a function that restores the
 * layers' original seeds so the saved config is unchanged.
 */
export function reseedDropoutEachStep(model: tf.LayersModel, rng: Rng): { next: () => void; restore: () => void } {
  type Seeded = { seed?: number };
  const layers = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as Seeded[];
  const original = layers.map((l) => l.seed);
  return {
    next: () => layers.forEach((l) => (l.seed = rng.int(2 ** 31 - 1))),
    restore: () => layers.forEach((l, i) => (l.seed = original[i])),
  };
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

function learningRateAt(o: FitOptions, step: number, totalSteps: number): number {
  if (o.schedule === 'constant' || totalSteps <= 1) return o.learningRate;
  const floor = o.learningRate / 100;
  return floor + 0.5 * (o.learningRate - floor) * (1 + Math.cos((Math.PI * step) / (totalSteps - 1)));
}

export async function fit(model: tf.LayersModel, train: LabelledBeats, validation: LabelledBeats | undefined, o: FitOptions): Promise<FitResult> {
  // Separate streams so that switching augmentation off does not change the batch order or masks.
  const shuffleRng = createRng(o.seed);
  const augmentRng = createRng(o.seed + 1);
  const dropout = reseedDropoutEachStep(model, createRng(o.seed + 2));
  const optimizer = tf.train.adam(o.learningRate);
  // Porting note: TF.js Adam reads its `learningRate` field on every step, which is how a schedule is applied.
  const setLr = (lr: number) => ((optimizer as unknown as { learningRate: number }).learningRate = lr);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const batches = Math.ceil(train.count / o.batchSize);
  const history: EpochRecord[] = [];
  let best: { epoch: number; valLoss: number; weights: tf.Tensor[] } | undefined;
  let trainSeconds = 0;
  let step = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = shuffleInPlace(Array.from({ length: train.count }, (_, i) => i), shuffleRng);
      let lossSum = 0;
      let correct = 0;
      let lr = o.learningRate;
      const started = performance.now();
      for (let b = 0; b < batches; b++) {
        const batch = selectRows(train, order.slice(b * o.batchSize, (b + 1) * o.batchSize));
        const x = augmentBatch(batch.x, batch.count, batch.length, o.augment, augmentRng);
        lr = learningRateAt(o, step++, batches * o.epochs);
        setLr(lr);
        dropout.next();
        const [loss, hits] = tf.tidy(() => {
          const xs = tf.tensor3d(x, [batch.count, batch.length, 1]);
          const labels = tf.tensor1d(batch.y, 'int32');
          let probs: tf.Tensor | undefined;
          const cost = optimizer.minimize(
            () => {
              const out = model.apply(xs, { training: true }) as tf.Tensor;
              probs = tf.keep(out); // minimize() tidies its closure; accuracy needs the outputs after it
              return crossEntropy(out, tf.oneHot(labels, o.numClasses));
            },
            true,
            variables,
          )!;
          const right = tf.sum(tf.cast(tf.equal(tf.argMax(probs!, -1), labels), 'float32'));
          probs!.dispose();
          return [cost.dataSync()[0]!, right.dataSync()[0]!];
        });
        lossSum += loss * batch.count;
        correct += hits;
        o.onBatch?.(epoch, b + 1, batches);
        await Promise.resolve(); // let a progress bar's timer run between steps
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const val = validation && validation.count > 0 ? evaluateLoss(model, validation, o.numClasses) : undefined;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / train.count,
        accuracy: correct / train.count,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        seconds,
        learningRate: lr,
      };
      history.push(record);
      // Keras's ModelCheckpoint(save_best_only) default: lowest val_loss wins; ties keep the earlier epoch.
      if (val && (!best || val.loss < best.valLoss)) {
        best?.weights.forEach((t) => t.dispose());
        best = { epoch, valLoss: val.loss, weights: model.weights.map((w) => w.read().clone()) };
      }
      o.onEpoch?.(record);
    }
  } finally {
    dropout.restore();
    optimizer.dispose();
  }
  if (best) {
    model.setWeights(best.weights);
    best.weights.forEach((t) => t.dispose());
  }
  const samples = train.count * o.epochs;
  return { history, bestEpoch: best?.epoch ?? o.epochs, trainSeconds, trainSamplesPerSecond: trainSeconds > 0 ? samples / trainSeconds : 0 };
}
