// Tiny TF.js models for the exporter tests: one builder per converter option, plus random stacks of
// supported layers for the property test. Weights (BatchNormalization statistics included) are
// randomised with a seed, so a converter that ignores a weight or an option cannot pass by luck.
import * as tf from '@tensorflow/tfjs';
import { ResetAfterGRU } from '../../train/gru.js';
import { makeRng } from './rng.js';

export type Rng = () => number;

/** Replaces every weight by seeded uniform values; variances stay positive. */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = makeRng(seed);
  const weights = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const positive = /variance/.test(w.name);
    const values = Float32Array.from({ length: size }, () => (positive ? 0.5 + rng() : (rng() * 2 - 1) * 0.6));
    return tf.tensor(values, shape);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

type Sym = tf.SymbolicTensor;

/** Flatten (if needed) + Dense softmax head, so every test model outputs [N, K]. */
export function head(x: Sym, classes = 3): Sym {
  const flat = x.shape.length > 2 ? (tf.layers.flatten().apply(x) as Sym) : x;
  return tf.layers.dense({ units: classes, activation: 'softmax' }).apply(flat) as Sym;
}

export function functional(steps: number, channels: number, body: (x: Sym) => Sym, classes = 3): tf.LayersModel {
  const input = tf.input({ shape: [steps, channels] });
  return tf.model({ inputs: input, outputs: head(body(input), classes) });
}

export const apply = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear', 'elu', 'selu', 'hardSigmoid', 'softplus', 'softsign', 'swish', 'relu6', 'mish'] as const;

/** A random stack of supported layers (property test): conv/pool/BN/SE/GRU/dense in a legal order. */
export function randomModel(seed: number): { model: tf.LayersModel; steps: number; channels: number } {
  const rng = makeRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const steps = int(6, 40);
  const channels = int(1, 4);
  const input = tf.input({ shape: [steps, channels] });
  let x: Sym = input;
  const layers = int(1, 5);
  for (let i = 0; i < layers; i++) {
    const length = x.shape[1] as number;
    const c = x.shape[2] as number;
    const kind = pick(['conv', 'conv', 'pool', 'bn', 'se', 'residual', 'concat', 'dropout'] as const);
    if (kind === 'conv') {
      const padding = pick(['same', 'valid'] as const);
      const kernelSize = int(1, Math.min(7, padding === 'valid' ? length : 7));
      const dilated = padding !== 'valid' && rng() < 0.3;
      x = apply(tf.layers.conv1d({ filters: int(1, 8), kernelSize, strides: dilated ? 1 : int(1, 3), dilationRate: dilated ? 2 : 1, padding, useBias: rng() < 0.7, activation: pick(ACTIVATIONS) }), x);
    } else if (kind === 'pool' && length >= 2) {
      const poolSize = int(1, Math.min(4, length));
      const args = { poolSize, strides: int(1, poolSize), padding: pick(['same', 'valid'] as const) };
      x = apply(rng() < 0.5 ? tf.layers.maxPooling1d(args) : tf.layers.averagePooling1d(args), x);
    } else if (kind === 'bn') {
      x = apply(tf.layers.batchNormalization({ epsilon: pick([1e-3, 1e-5]), center: rng() < 0.8, scale: rng() < 0.8 }), x);
    } else if (kind === 'se') {
      const s = apply(tf.layers.dense({ units: c, activation: 'sigmoid', useBias: false }), apply(tf.layers.globalAveragePooling1d(), x));
      x = apply(tf.layers.multiply(), [x, s]);
    } else if (kind === 'residual') {
      x = apply(tf.layers.add(), [x, apply(tf.layers.conv1d({ filters: c, kernelSize: int(1, 3), padding: 'same', activation: 'relu' }), x)]);
    } else if (kind === 'concat') {
      x = apply(tf.layers.concatenate(), [x, apply(tf.layers.activation({ activation: pick(ACTIVATIONS) }), x)]);
    } else {
      x = apply(tf.layers.dropout({ rate: 0.5 }), x);
    }
  }
  const tail = pick(['gru', 'gru-reset-after', 'gru-seq', 'global', 'flatten'] as const);
  if (tail === 'gru') x = apply(tf.layers.gru({ units: int(1, 6), recurrentActivation: pick(['hardSigmoid', 'sigmoid']) }), x);
  else if (tail === 'gru-reset-after') x = apply(new ResetAfterGRU({ units: int(1, 6) }), x);
  else if (tail === 'gru-seq') x = apply(new ResetAfterGRU({ units: int(1, 6), returnSequences: true }), x);
  else if (tail === 'global') x = apply(rng() < 0.5 ? tf.layers.globalAveragePooling1d() : tf.layers.globalMaxPooling1d(), x);
  if (rng() < 0.5) x = apply(tf.layers.dense({ units: int(2, 8), activation: pick(ACTIVATIONS) }), x.shape.length > 2 ? apply(tf.layers.flatten(), x) : x);
  const model = tf.model({ inputs: input, outputs: head(x, int(2, 6)) });
  randomizeWeights(model, seed);
  return { model, steps, channels };
}

/** An image model [N, H, W, C] (or channels-first [N, C, H, W]) with a flatten + softmax head. */
export function imageModel(shape: [number, number, number], body: (x: Sym) => Sym, classes = 3): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: head(body(input), classes) });
}

/** A model whose output is the body's own output (no head): sequence, image or state outputs. */
export function bare(shape: number[], body: (x: Sym) => Sym | Sym[], dtype: 'float32' | 'int32' = 'float32'): tf.LayersModel {
  const input = tf.input({ shape, dtype });
  return tf.model({ inputs: input, outputs: body(input) });
}
