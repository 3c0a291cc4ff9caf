// The paper's CNN-GRU-SE model (Table 1 of ../shared/PAPER.md), built with TF.js layers.
// Shapes follow 'same' padding (TF convention); unstated choices are options with documented defaults.
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '@ecg-onnx/core';
import { ResetAfterGRU } from './gru.js';

export interface ModelOptions {
  /** Dropout after the GRU and after the 512-unit dense (paper: unstated). Default 0.3. */
  dropout: number;
  /** Seed for every initialiser, so the same seed builds the same weights. */
  seed: number;
  /** BatchNormalization moving-average momentum (Keras default 0.99; the paper is silent). */
  bnMomentum: number;
  /** GRU and dense widths: the paper's values by default. */
  gruUnits: number;
  denseUnits: number;
}

export const DEFAULT_MODEL_OPTIONS: Readonly<ModelOptions> = Object.freeze({ dropout: 0.3, seed: 42, bnMomentum: 0.99, gruUnits: 128, denseUnits: 512 });

/** Builds the model; input [N, spec.inputLength, spec.channels], output softmax [N, K]. */
export function buildModel(spec: ModelSpec, options: Partial<ModelOptions> = {}): tf.LayersModel {
  const o = { ...DEFAULT_MODEL_OPTIONS, ...options };
  let seed = o.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1) =>
    tf.layers
      .conv1d({ filters, kernelSize, strides, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(x) as tf.SymbolicTensor;
  const dense = (x: tf.SymbolicTensor, units: number, activation: 'relu' | 'sigmoid' | 'softmax', useBias = true) =>
    tf.layers.dense({ units, activation, useBias, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  const batchNorm = (x: tf.SymbolicTensor) => tf.layers.batchNormalization({ momentum: o.bnMomentum, epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
  const maxPool = (x: tf.SymbolicTensor, size: number) =>
    tf.layers.maxPooling1d({ poolSize: size, strides: size, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  /** Squeeze-and-Excitation: global average -> dense(C/ratio, relu) -> dense(C, sigmoid) -> scale. */
  const excite = (x: tf.SymbolicTensor, channels: number, ratio: number) => {
    const squeezed = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
    const weights = dense(dense(squeezed, channels / ratio, 'relu', false), channels, 'sigmoid', false);
    return tf.layers.multiply().apply([x, weights]) as tf.SymbolicTensor; // (N,T,C) * (N,C): broadcast over time
  };

  const input = tf.input({ shape: [spec.inputLength, spec.channels], name: 'beats' });
  let x = maxPool(batchNorm(conv(input, 128, 50, 3)), 3); // layers 1-3
  x = maxPool(batchNorm(conv(x, 32, 7)), 2); // layers 4-6
  x = excite(x, 32, 8); // layers 7-10, no residual
  x = conv(conv(x, 32, 10), 128, 5, 2); // layers 11-12
  x = maxPool(x, 2); // layer 13
  const features = conv(x, 512, 5); // layer 14
  x = tf.layers.add().apply([features, excite(features, 512, 16)]) as tf.SymbolicTensor; // layers 15-19, residual
  x = new ResetAfterGRU({ units: o.gruUnits, seed: seed++ }).apply(x) as tf.SymbolicTensor; // layer 20
  x = tf.layers.dropout({ rate: o.dropout }).apply(x) as tf.SymbolicTensor;
  x = dense(x, o.denseUnits, 'relu');
  x = tf.layers.dropout({ rate: o.dropout }).apply(x) as tf.SymbolicTensor;
  const output = dense(x, spec.classes.length, 'softmax');
  return tf.model({ inputs: input, outputs: output, name: 'cnn_gru_se' });
}
