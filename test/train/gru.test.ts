// ResetAfterGRU against the float64 reference equations (forward and gradient), its save/reload
// round trip, and that it trains; the same suite runs on each backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import { initBackend } from '../../train/backend.js';
import { ResetAfterGRU } from '../../train/gru.js';
import { type GruWeights, referenceGru } from '../helpers/reference-gru.js';
import { TOLERANCES, assertClose } from '../helpers/tolerances.js';

const BACKENDS = ['cpu', 'wasm'] as const;
// [batch, steps, inputDim, units]
const SIZES: ReadonlyArray<[number, number, number, number]> = [
  [3, 2, 5, 4],
  [2, 7, 16, 8],
  [4, 1, 3, 6],
  [1, 3, 32, 16],
];

function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.normal() * scale);
}

function randomWeights(inputDim: number, units: number, seed: number): GruWeights {
  return {
    kernel: randomArray(inputDim * 3 * units, seed, 0.5),
    recurrentKernel: randomArray(units * 3 * units, seed + 1, 0.5),
    bias: randomArray(2 * 3 * units, seed + 2, 0.3),
  };
}

function gruWith(w: GruWeights, inputDim: number, units: number, returnSequences: boolean, steps: number): ResetAfterGRU {
  const layer = new ResetAfterGRU({ units, returnSequences, seed: 1 });
  layer.build([null, steps, inputDim]);
  layer.setWeights([
    tf.tensor2d(w.kernel as Float32Array, [inputDim, 3 * units]),
    tf.tensor2d(w.recurrentKernel as Float32Array, [units, 3 * units]),
    tf.tensor2d(w.bias as Float32Array, [2, 3 * units]),
  ]);
  return layer;
}

for (const backend of BACKENDS) {
  describe(`ResetAfterGRU on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    afterAll(() => tf.disposeVariables());

    for (const [batch, steps, inputDim, units] of SIZES) {
      for (const returnSequences of [true, false]) {
        it(`matches the float64 reference: batch ${batch}, steps ${steps}, input ${inputDim}, units ${units}, returnSequences ${returnSequences}`, () => {
          const seed = batch * 1000 + steps * 100 + inputDim * 10 + units;
          const w = randomWeights(inputDim, units, seed);
          const x = randomArray(batch * steps * inputDim, seed + 7);
          const layer = gruWith(w, inputDim, units, returnSequences, steps);
          const actual = tf.tidy(() => (layer.apply(tf.tensor3d(x, [batch, steps, inputDim])) as tf.Tensor).dataSync());
          const expected = referenceGru(x, [batch, steps, inputDim], units, w, returnSequences);
          expect(actual.length).toBe(expected.length);
          assertClose(actual, expected, TOLERANCES.referenceAbs, 'GRU output');
        });
      }
    }

    it('has gradients equal to finite differences of the reference', () => {
      const [batch, steps, inputDim, units] = [2, 3, 3, 2];
      const w = randomWeights(inputDim, units, 11);
      const x = randomArray(batch * steps * inputDim, 12);
      const probe = randomArray(batch * steps * units, 13); // loss = sum(output * probe)
      const layer = gruWith(w, inputDim, units, true, steps);
      const { grads } = tf.variableGrads(() =>
        tf.sum(tf.mul(layer.apply(tf.tensor3d(x, [batch, steps, inputDim])) as tf.Tensor, tf.tensor3d(probe, [batch, steps, units]))) as tf.Scalar,
      );
      const loss = (weights: GruWeights) => referenceGru(x, [batch, steps, inputDim], units, weights, true).reduce((s, v, i) => s + v * probe[i]!, 0);
      const names = ['kernel', 'recurrentKernel', 'bias'] as const;
      layer.trainableWeights.forEach((variable, k) => {
        const name = names[k]!;
        const base = Float64Array.from(w[name]);
        const numeric = base.map((_, i) => {
          const eps = 1e-6;
          const plus = Float64Array.from(base);
          const minus = Float64Array.from(base);
          plus[i]! += eps;
          minus[i]! -= eps;
          return (loss({ ...w, [name]: plus }) - loss({ ...w, [name]: minus })) / (2 * eps);
        });
        const analytic = grads[variable.name]!.dataSync();
        const scale = Math.max(...numeric.map(Math.abs));
        assertClose(analytic, numeric, TOLERANCES.gradientRel * scale, `d loss / d ${name}`);
      });
      tf.dispose(grads);
    });

    it('saves and reloads as a LayersModel with identical outputs', async () => {
      const model = tf.sequential({
        layers: [new ResetAfterGRU({ units: 6, returnSequences: true, seed: 3, inputShape: [4, 5] }), tf.layers.flatten(), tf.layers.dense({ units: 3 })],
      });
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const topology = JSON.stringify(saved!.modelTopology);
      expect(topology).toContain('"class_name":"ResetAfterGRU"');
      expect(saved!.weightSpecs!.filter((s) => s.name.includes('reset_after_gru')).map((s) => [s.name.split('/').pop(), s.shape])).toEqual([
        ['kernel', [5, 18]],
        ['recurrent_kernel', [6, 18]],
        ['bias', [2, 18]],
      ]);
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const x = tf.tensor3d(randomArray(2 * 4 * 5, 21), [2, 4, 5]);
      const before = (model.predict(x) as tf.Tensor).dataSync();
      const after = (reloaded.predict(x) as tf.Tensor).dataSync();
      expect(Array.from(after)).toEqual(Array.from(before));
      expect(reloaded.layers[0]!.getConfig()).toEqual(model.layers[0]!.getConfig());
    });

    it('trains: the loss of a small GRU classifier falls', async () => {
      const [n, steps, inputDim] = [64, 5, 3];
      const x = randomArray(n * steps * inputDim, 31);
      // Label: whether the first feature sums to more than zero over time, a sequence-level task.
      const labels = Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let t = 0; t < steps; t++) s += x[(i * steps + t) * inputDim]!;
        return s > 0 ? 1 : 0;
      });
      const model = tf.sequential({ layers: [new ResetAfterGRU({ units: 8, seed: 5, inputShape: [steps, inputDim] }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) })] });
      model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy' });
      const xs = tf.tensor3d(x, [n, steps, inputDim]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
      const history = await model.fit(xs, ys, { epochs: 40, batchSize: 32, shuffle: false, verbose: 0 });
      const losses = history.history.loss as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
      tf.dispose([xs, ys]);
    });
  });
}
