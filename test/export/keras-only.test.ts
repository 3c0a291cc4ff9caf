// Keras layers and options TF.js lacks or runs wrongly, from the model.json a Keras-converted model
// has: ZeroPadding1D, Cropping1D, UpSampling1D, SeparableConv1D and Subtract (test layers with those
// class names, test/helpers/keras-layers.ts), ELU alpha != 1 and Conv1D channels_first (configs
// edited after saving), BatchNormalization on a non-channel axis and Softmax on a non-last axis
// (TF.js's CPU kernels get them wrong or refuse them): each against a plain-tf reference.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, it } from 'vitest';
import { Cropping1D, SeparableConv1D, Subtract, UpSampling1D, ZeroPadding1D } from '../helpers/keras-layers.js';
import { onnxCheck, type Feed } from './fixtures.js';
import { apply, bare, functional, randomizeWeights } from './models.js';
import { checkModelParity, type ParityOptions } from './parity.js';

const layerOf = (layers: Record<string, unknown>[], cls: string) => layers.find((l) => l.class_name === cls)!.config as Record<string, unknown>;
const tensorOf = (f: Feed) => tf.tensor(f.data, f.shape, f.dtype);

interface Case {
  name: string;
  model: () => tf.LayersModel;
  options?: (model: tf.LayersModel) => ParityOptions;
}

const CASES: Case[] = [
  { name: 'ZeroPadding1D [1, 3] then Conv1D', model: () => functional(6, 2, (x) => apply(tf.layers.conv1d({ filters: 2, kernelSize: 3 }), apply(new ZeroPadding1D({ padding: [1, 3] }), x))) },
  { name: 'Cropping1D [2, 1] after Conv1D (stored channels-first)', model: () => functional(9, 2, (x) => apply(new Cropping1D({ cropping: [2, 1] }), apply(tf.layers.conv1d({ filters: 3, kernelSize: 2 }), x))) },
  { name: 'UpSampling1D 3', model: () => functional(4, 2, (x) => apply(new UpSampling1D({ size: 3 }), apply(tf.layers.conv1d({ filters: 2, kernelSize: 1 }), x))) },
  { name: 'SeparableConv1D same k3 multiplier 2', model: () => functional(10, 3, (x) => apply(new SeparableConv1D({ filters: 4, kernelSize: 3, padding: 'same', depthMultiplier: 2 }), x)) },
  { name: 'SeparableConv1D valid k3 stride 2', model: () => functional(11, 2, (x) => apply(new SeparableConv1D({ filters: 3, kernelSize: 3, strides: 2 }), x)) },
  { name: 'Subtract', model: () => functional(5, 3, (x) => apply(new Subtract({}), [x, apply(tf.layers.dense({ units: 3 }), x)])) },
  {
    name: 'ELU alpha 0.5 (TF.js only runs alpha 1)',
    model: () => bare([4, 3], (x) => apply(tf.layers.elu({}), x)),
    options: () => ({ edit: (layers) => (layerOf(layers, 'ELU').alpha = 0.5), reference: ([f]) => [tf.tidy(() => tf.where(tf.greater(tensorOf(f!), 0), tensorOf(f!), tf.mul(0.5, tf.sub(tf.exp(tensorOf(f!)), 1))).dataSync() as Float32Array)] }),
  },
  {
    name: 'Conv1D data_format channels_first (Keras-converted: input [N, C, T])',
    model: () => bare([8, 3], (x) => apply(tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', strides: 2 }), x)),
    options: (model) => ({
      edit: (layers) => {
        layerOf(layers, 'InputLayer').batch_input_shape = [null, 3, 8];
        layerOf(layers, 'Conv1D').data_format = 'channels_first';
      },
      // The same conv on the channels-last view, transposed back.
      reference: ([f]) => [tf.tidy(() => (model.predict(tensorOf(f!).transpose([0, 2, 1])) as tf.Tensor).transpose([0, 2, 1]).dataSync() as Float32Array)],
    }),
  },
  {
    name: 'BatchNormalization axis 1 of [N, C, H, W] (TF.js CPU normalises the last axis instead)',
    model: () => bare([3, 5, 4], (x) => apply(tf.layers.batchNormalization({ axis: 1, epsilon: 1e-3 }), x)),
    options: (model) => ({
      reference: ([f]) => {
        const [gamma, beta, mean, variance] = model.layers[1]!.getWeights().map((w) => w.reshape([1, 3, 1, 1]));
        return [tf.tidy(() => tensorOf(f!).sub(mean!).div(variance!.add(1e-3).sqrt()).mul(gamma!).add(beta!).dataSync() as Float32Array)];
      },
    }),
  },
  {
    name: 'Softmax axis 1 of [N, T, C] (TF.js refuses non-last axes)',
    model: () => bare([4, 3], (x) => apply(tf.layers.softmax({ axis: 1 }), x)),
    options: () => ({ reference: ([f]) => [tf.tidy(() => tf.softmax(tensorOf(f!).transpose([0, 2, 1])).transpose([0, 2, 1]).dataSync() as Float32Array)] }),
  },
];

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('Keras-only layers and options vs plain-tf references', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = c.model();
      randomizeWeights(model, c.name.length);
      written.push(...(await checkModelParity(model, c.name, c.options?.(model))).files);
    });
  }
});
