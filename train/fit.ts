// The training loop: seeded shuffling, augmentation of training batches, Adam, validation each
// epoch and best-validation weights. Written by hand rather than with model.fit because fit()
// shuffles with Math.random and cannot augment per batch, and both must repeat for a seed. The step
// itself (gradient + fused Adam, alone or data parallel over worker threads) is parallel/coordinator.ts.
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace, type Rng } from '@ecg-onnx/core';
import { augmentBatch, type AugmentOptions } from './augment.js';
import type { BackendName } from './backend.js';
import { selectRows, type LabelledBeats } from './data.js';
import { lossFromProbabilities } from './loss.js';
import { localStepper, parallelStepper, type Stepper } from './parallel/coordinator.js';
import { Replica, type StepExtras } from './replica.js';

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
  /** Called after every epoch with that epoch's record and the wall-clock seconds of its training steps. */
  onEpoch?: (record: EpochRecord, seconds: number) => void;
  /** Per-class loss weights (index = class), e.g. balancedClassWeights(); default: every beat weighs 1. */
  classWeights?: readonly number[];
  /**
   * Distillation: soft targets for a batch of (augmented) beats, [n, K], e.g. an ensemble's mean
   * probabilities. The targets are teacherMix * one-hot + (1 - teacherMix) * teacher (default mix 0).
   */
  teacher?: (x: Float32Array, n: number) => Float32Array;
  teacherMix?: number;
  /** Data-parallel training over this many threads (default 1: the model in this thread only). */
  workers?: number;
  /** The backend the workers start (default: the one running now). */
  backend?: BackendName;
  /**
   * Weight averaging (SWA-style tail averaging): the model ends with the mean of its weights, BatchNorm
   * moving statistics included, at the end of each of the last N epochs; 0/undefined = off. It replaces
   * the best-validation-epoch pick.
   */
  averageEpochs?: number;
  /** Leave the stepper open and return it (FitResult.stepper), for predictions by every replica; the caller closes it. */
  keepStepper?: boolean;
}

/** One epoch of history.json: only numbers that repeat for a seed (times are in FitResult.epochSeconds). */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss/accuracy over the epoch's batches (with dropout and augmentation), as Keras reports. */
  loss: number;
  accuracy: number;
  /** null under the 'full' protocol (no validation set). */
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** 1-based epoch whose weights the model now holds (lowest validation loss; the last epoch without validation or when averaged). */
  bestEpoch: number;
  /** How many epochs' weights the model's weights are the mean of (1: one epoch's, not averaged). */
  averagedEpochs: number;
  /** Wall-clock seconds of each epoch's training steps (validation excluded), index = epoch - 1. */
  epochSeconds: number[];
  trainSeconds: number;
  trainSamplesPerSecond: number;
  /** With keepStepper: the open stepper (call resync() after changing the weights, then predict). */
  stepper?: Stepper;
}

/**
 * TF.js Dropout with a fixed seed draws the same mask on every call, and without one it seeds
 * from Math.random. So before every step each Dropout layer gets a fresh seed from our rng: new
 * masks every step, the same sequence for the same seed. Returns a function that restores the
 * layers' original seeds so the saved config is unchanged.
 */
export function reseedDropoutEachStep(model: tf.LayersModel, rng: Rng): { next: () => number[]; restore: () => void } {
  type Seeded = { seed?: number };
  const layers = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as Seeded[];
  const original = layers.map((l) => l.seed);
  return {
    next: () => layers.map((l) => (l.seed = rng.int(2 ** 31 - 1))),
    restore: () => layers.forEach((l, i) => (l.seed = original[i])),
  };
}

/** Soft targets and per-beat weights for a batch, when the options ask for them. */
function stepExtras(o: FitOptions, x: Float32Array, y: Int32Array, n: number): StepExtras {
  const weights = o.classWeights ? Float32Array.from(y, (k) => o.classWeights![k]!) : undefined;
  if (!o.teacher) return { weights };
  const k = o.numClasses;
  const soft = o.teacher(x, n);
  const mix = o.teacherMix ?? 0;
  const targets = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) targets[i * k + c] = (1 - mix) * soft[i * k + c]! + (c === y[i] ? mix : 0);
  return { targets, weights };
}

async function createStepper(model: tf.LayersModel, o: FitOptions): Promise<Stepper> {
  const workers = o.workers ?? 1;
  const replica = new Replica(model, o.numClasses, model.inputs[0]!.shape[2] ?? 1);
  if (workers === 1) return localStepper(replica, o.learningRate);
  const backend = o.backend ?? (tf.getBackend() === 'tensorflow' ? 'node' : (tf.getBackend() as BackendName));
  return parallelStepper(replica, { workers, backend, maxBatch: o.batchSize, learningRate: o.learningRate });
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
  const stepper = await createStepper(model, o);
  const batches = Math.ceil(train.count / o.batchSize);
  const history: EpochRecord[] = [];
  const epochSeconds: number[] = [];
  let best: { epoch: number; valLoss: number; weights: tf.Tensor[] } | undefined;
  const averaging = Math.min(o.averageEpochs ?? 0, o.epochs);
  let sum: tf.Tensor[] | undefined;
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
        const { loss, hits } = stepper.step(x, batch.y, batch.count, lr, dropout.next(), stepExtras(o, x, batch.y, batch.count));
        lossSum += loss * batch.count;
        correct += hits;
        o.onBatch?.(epoch, b + 1, batches);
        await Promise.resolve(); // let a progress bar's timer run between steps
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      epochSeconds.push(seconds);
      // Every replica predicts its share (same bits as one thread: a beat's output does not depend on its batch).
      const val = validation && validation.count > 0 ? lossFromProbabilities(stepper.predict(validation.x, validation.count), validation.y, o.numClasses) : undefined;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / train.count,
        accuracy: correct / train.count,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        learningRate: lr,
      };
      history.push(record);
      // Keras's ModelCheckpoint(save_best_only) default: lowest val_loss wins; ties keep the earlier epoch.
      if (averaging > 1 && epoch > o.epochs - averaging) sum = addWeights(model, sum);
      else if (val && averaging <= 1 && (!best || val.loss < best.valLoss)) {
        best?.weights.forEach((t) => t.dispose());
        best = { epoch, valLoss: val.loss, weights: model.weights.map((w) => w.read().clone()) };
      }
      o.onEpoch?.(record, seconds);
    }
  } catch (err) {
    sum?.forEach((t) => t.dispose());
    await stepper.close();
    throw err;
  } finally {
    dropout.restore();
  }
  if (!o.keepStepper) await stepper.close();
  if (sum) {
    const mean = tf.tidy(() => sum!.map((t) => tf.div(t, averaging)));
    model.setWeights(mean);
    [...sum, ...mean].forEach((t) => t.dispose());
  } else if (best) {
    model.setWeights(best.weights);
    best.weights.forEach((t) => t.dispose());
  }
  const samples = train.count * o.epochs;
  const rate = trainSeconds > 0 ? samples / trainSeconds : 0;
  return { history, bestEpoch: best?.epoch ?? o.epochs, averagedEpochs: sum ? averaging : 1, epochSeconds, trainSeconds, trainSamplesPerSecond: rate, ...(o.keepStepper ? { stepper } : {}) };
}

/** sum + the model's current weights (all of them, BatchNorm moving statistics included); the old sum is freed. */
function addWeights(model: tf.LayersModel, sum: tf.Tensor[] | undefined): tf.Tensor[] {
  const next = tf.tidy(() => model.weights.map((w, i) => (sum ? tf.add(sum[i]!, w.read()) : w.read().clone())));
  sum?.forEach((t) => t.dispose());
  return next;
}
