// Layers and activations of the converter table that no other test exported (found by the mutation run):
// the inference-identity noise and dropout layers, and Keras's `log_softmax` and `silu` activations
// (Keras-converted configs; TF.js has no such activation names, so their reference is plain tf).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxCheck, type Feed } from './fixtures.js';
import { apply, bare, functional, randomizeWeights } from './models.js';
import { checkModelParity } from './parity.js';

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('inference-identity layers export to nothing', () => {
  it.each([
    ['AlphaDropout', () => tf.layers.alphaDropout({ rate: 0.3 })],
    ['GaussianDropout', () => tf.layers.gaussianDropout({ rate: 0.3 })],
    ['GaussianNoise', () => tf.layers.gaussianNoise({ stddev: 0.5 })],
    ['SpatialDropout1D', () => tf.layers.spatialDropout1d({ rate: 0.3 })],
    ['Dropout', () => tf.layers.dropout({ rate: 0.3 })],
  ] as const)('%s between a Conv1D and the head', async (name, layer) => {
    const model = functional(8, 2, (x) => apply(layer(), apply(tf.layers.conv1d({ filters: 3, kernelSize: 3, activation: 'relu' }), x)));
    randomizeWeights(model, name.length);
    const r = await checkModelParity(model, name);
    written.push(...r.files);
    // Conv, Relu, pooling head and Dense only: no Identity, no Dropout node, in any variant.
    for (const s of [r.unoptimized, r.optimized]) {
      expect(s.nodesByOp.Identity ?? 0).toBe(0);
      expect(s.nodesByOp.Dropout ?? 0).toBe(0);
    }
  });
});

describe('Keras activation names TF.js does not have', () => {
  const tensorOf = (f: Feed) => tf.tensor(f.data, f.shape, f.dtype);
  const logSoftmax = (z: tf.Tensor) => tf.logSoftmax(z);
  it.each([
    ['Dense', 'log_softmax', logSoftmax],
    ['Dense', 'silu', (z: tf.Tensor) => tf.mul(z, tf.sigmoid(z))],
    // Over the channels of a conv output, which the export stores channels-first.
    ['Conv1D', 'log_softmax', logSoftmax],
  ] as const)('%s activation %s', async (cls, activation, reference) => {
    const layer = () => (cls === 'Dense' ? tf.layers.dense({ units: 4 }) : tf.layers.conv1d({ filters: 4, kernelSize: 3 }));
    const model = bare(cls === 'Dense' ? [5] : [7, 2], (x) => apply(layer(), x));
    randomizeWeights(model, activation.length);
    const r = await checkModelParity(model, `${cls} ${activation}`, {
      edit: (layers) => ((layers.find((l) => l.class_name === cls)!.config as Record<string, unknown>).activation = activation),
      reference: ([f]) => [tf.tidy(() => reference(model.predict(tensorOf(f!)) as tf.Tensor).dataSync() as Float32Array)],
    });
    written.push(...r.files);
  });
});
