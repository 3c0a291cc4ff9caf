// The training loop on a tiny model (conv, batch norm, dropout, dense) so it runs in seconds:
// same seed + same backend = same numbers, fresh dropout masks every step, best-validation weights.
// Written once and run on each backend, as tfjs-layers does.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import { DEFAULT_AUGMENT_OPTIONS } from '../../train/augment.js';
import { initBackend } from '../../train/backend.js';
import type { LabelledBeats } from '../../train/data.js';
import { fit, reseedDropoutEachStep, type FitOptions } from '../../train/fit.js';
import { evaluateLoss } from '../../train/loss.js';

const L = 24;
const K = 3;

/** K classes of noisy sine waves with different frequencies: learnable in a few epochs. */
function toyData(count: number, seed: number): LabelledBeats {
  const rng = createRng(seed);
  const x = new Float32Array(count * L);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % K;
    const phase = rng.next() * 6;
    for (let t = 0; t < L; t++) x[i * L + t] = Math.sin(phase + (t * (y[i]! + 1)) / 3) + 0.3 * rng.normal();
  }
  return { x, y, count, length: L };
}

function tinyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [L, 1] });
  let h = tf.layers.conv1d({ filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling1d().apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: 0.5 }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const options = (o: Partial<FitOptions> = {}): FitOptions => ({
  epochs: 4,
  batchSize: 8,
  learningRate: 0.01,
  schedule: 'constant',
  seed: 1,
  augment: DEFAULT_AUGMENT_OPTIONS,
  numClasses: K,
  ...o,
});

async function trainOnce(seed: number, o: Partial<FitOptions> = {}) {
  const model = tinyModel(100);
  const result = await fit(model, toyData(48, 1), toyData(24, 2), options({ seed, ...o }));
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  const val = evaluateLoss(model, toyData(24, 2), K);
  model.dispose();
  return { result, weights, val };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`fit on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('repeats exactly for the same seed, and differs for another seed', async () => {
      const a = await trainOnce(7);
      const b = await trainOnce(7);
      const c = await trainOnce(8);
      const numbers = (r: typeof a) => r.result.history.map((h) => [h.loss, h.accuracy, h.valLoss, h.valAccuracy]);
      expect(numbers(b)).toEqual(numbers(a));
      expect(b.weights).toEqual(a.weights);
      expect(numbers(c)).not.toEqual(numbers(a));
    });

    it('keeps the weights of the epoch with the lowest validation loss', async () => {
      const { result, val } = await trainOnce(3, { epochs: 6, learningRate: 0.05 });
      const valLosses = result.history.map((h) => h.valLoss!);
      const best = valLosses.indexOf(Math.min(...valLosses)) + 1;
      expect(result.bestEpoch).toBe(best);
      expect(val.loss).toBeCloseTo(valLosses[best - 1]!, 5);
      expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(result.trainSamplesPerSecond).toBeGreaterThan(0);
    });

    it('restores an earlier best epoch, not the last one, when validation gets worse as training goes on', async () => {
      // Validation labels rotated by one class: the better the model learns the training task, the
      // higher its validation loss, so the best epoch is an early one and the last epoch is not it.
      const rotated = (d: LabelledBeats): LabelledBeats => ({ ...d, y: d.y.map((k) => (k + 1) % K) });
      const model = tinyModel(100);
      const result = await fit(model, toyData(48, 1), rotated(toyData(24, 2)), options({ seed: 3, epochs: 6, learningRate: 0.05 }));
      const held = evaluateLoss(model, rotated(toyData(24, 2)), K);
      model.dispose();
      const valLosses = result.history.map((h) => h.valLoss!);
      const best = valLosses.indexOf(Math.min(...valLosses)) + 1;
      expect(best).toBeLessThan(6); // the scenario: the last epoch is not the best
      expect(valLosses[5]! - valLosses[best - 1]!).toBeGreaterThan(0.01);
      expect(result.bestEpoch).toBe(best);
      expect(held.loss).toBeCloseTo(valLosses[best - 1]!, 5); // the model holds the best epoch's weights
    });

    it('without validation keeps the last epoch and reports null validation numbers', async () => {
      const model = tinyModel(100);
      const result = await fit(model, toyData(48, 1), undefined, options({ epochs: 2 }));
      model.dispose();
      expect(result.bestEpoch).toBe(2);
      expect(result.history.every((h) => h.valLoss === null && h.valAccuracy === null)).toBe(true);
    });

    it('leaks no tensors (optimizer state, kept outputs and best-weight copies are freed)', async () => {
      const before = tf.memory().numTensors;
      const model = tinyModel(100);
      await fit(model, toyData(24, 1), toyData(12, 2), options({ epochs: 3 }));
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('--average-epochs: ends with the mean of the last N epochs\' weights (BatchNorm statistics too), ignoring the best epoch', async () => {
      const before = tf.memory().numTensors;
      const model = tinyModel(100);
      const perEpoch: number[][][] = [];
      const onEpoch = () => perEpoch.push(model.getWeights().map((w) => Array.from(w.dataSync())));
      const result = await fit(model, toyData(48, 1), toyData(24, 2), options({ seed: 3, epochs: 5, learningRate: 0.05, averageEpochs: 3, onEpoch }));
      const final = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(result.averagedEpochs).toBe(3);
      expect(result.bestEpoch).toBe(5);
      expect(model.weights.length).toBe(final.length);
      final.forEach((w, i) =>
        w.forEach((v, j) => {
          const mean = (perEpoch[2]![i]![j]! + perEpoch[3]![i]![j]! + perEpoch[4]![i]![j]!) / 3;
          expect(Math.abs(v - mean)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(mean)));
        }),
      );
      // The weights did move between those epochs (else any epoch would pass), moving statistics included.
      const movingMean = model.weights.findIndex((w) => w.name.includes('moving_mean'));
      expect(perEpoch[4]![movingMean]).not.toEqual(perEpoch[2]![movingMean]);
      expect(final[0]).not.toEqual(perEpoch[4]![0]);
    });

    it('--average-epochs 1 is the same as off', async () => {
      const off = await trainOnce(4, { epochs: 3 });
      const one = await trainOnce(4, { epochs: 3, averageEpochs: 1 });
      expect(one.weights).toEqual(off.weights);
      expect(one.result.averagedEpochs).toBe(1);
    });

    it('learns the toy task (loss falls)', async () => {
      const { result } = await trainOnce(5, { epochs: 8 });
      expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    });
  });
}

describe('reseedDropoutEachStep', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await initBackend('cpu');
    model = tinyModel(1);
  });
  afterAll(() => model.dispose());

  const masks = (seed: number, steps: number) => {
    const dropout = model.layers.find((l) => l.getClassName() === 'Dropout')!;
    const reseed = reseedDropoutEachStep(model, createRng(seed));
    const out: number[][] = [];
    for (let i = 0; i < steps; i++) {
      reseed.next();
      out.push(tf.tidy(() => Array.from((dropout.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync())));
    }
    reseed.restore();
    return out;
  };

  it('draws a new mask every step, the same sequence for the same seed, and restores the saved seed', () => {
    const a = masks(1, 3);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[1]).not.toEqual(a[2]);
    expect(masks(1, 3)).toEqual(a);
    expect(model.layers.find((l) => l.getClassName() === 'Dropout')!.getConfig().seed).toBeUndefined();
  });
});
