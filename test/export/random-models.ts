// Random stacks of the 2-D (image) and sequence layers for the property test, in legal orders with
// random shapes and options; weights are randomised with the seed (models.ts randomizeWeights).
import * as tf from '@tensorflow/tfjs';
import { makeRng } from './rng.js';
import { ACTIVATIONS, apply, head, randomizeWeights } from './models.js';

type Sym = tf.SymbolicTensor;
const RNN_ACTIVATIONS = ['tanh', 'sigmoid', 'relu'] as const;
const RECURRENT_ACTIVATIONS = ['hardSigmoid', 'sigmoid'] as const;

function picker(seed: number) {
  const rng = makeRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  return { rng, int, pick };
}

/** An image model: a random stack of 2-D layers on [H, W, C], then a pooled or flattened Dense head. */
export function randomImageModel(seed: number): tf.LayersModel {
  const { rng, int, pick } = picker(seed);
  const input = tf.input({ shape: [int(5, 12), int(5, 12), int(1, 3)] });
  let x: Sym = input;
  for (let i = int(1, 5); i > 0; i--) {
    const [h, w, c] = x.shape.slice(1) as number[];
    const small = Math.min(h!, w!);
    const kind = pick(['conv', 'conv', 'depthwise', 'separable', 'pool', 'bn', 'ln', 'pad', 'crop', 'up', 'residual', 'concat', 'act', 'transpose'] as const);
    const padding = pick(['same', 'valid'] as const);
    const k = int(1, Math.min(3, small));
    if (kind === 'conv') {
      const dilated = padding === 'same' && rng() < 0.3;
      x = apply(tf.layers.conv2d({ filters: int(1, 6), kernelSize: [k, int(1, Math.min(3, small))], strides: dilated ? 1 : int(1, 2), dilationRate: dilated ? 2 : 1, padding, useBias: rng() < 0.7, activation: pick(ACTIVATIONS) }), x);
    } else if (kind === 'depthwise') {
      x = apply(tf.layers.depthwiseConv2d({ kernelSize: k, depthMultiplier: int(1, 2), strides: int(1, 2), padding, activation: pick(['relu', 'linear', 'tanh'] as const) }), x);
    } else if (kind === 'separable') {
      x = apply(tf.layers.separableConv2d({ filters: int(1, 5), kernelSize: k, depthMultiplier: int(1, 2), padding }), x);
    } else if (kind === 'pool' && small >= 2) {
      const args = { poolSize: int(1, Math.min(3, small)), strides: int(1, 2), padding };
      x = apply(rng() < 0.5 ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args), x);
    } else if (kind === 'bn') {
      x = apply(tf.layers.batchNormalization({ epsilon: pick([1e-3, 1e-5]), center: rng() < 0.8, scale: rng() < 0.8 }), x);
    } else if (kind === 'ln') {
      x = apply(tf.layers.layerNormalization({ axis: rng() < 0.5 ? -1 : [1, 2, 3] }), x);
    } else if (kind === 'pad') {
      x = apply(tf.layers.zeroPadding2d({ padding: [[int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)]] }), x);
    } else if (kind === 'crop' && small >= 4) {
      x = apply(tf.layers.cropping2D({ cropping: [[int(0, 1), int(0, 1)], [int(0, 1), int(0, 1)]] }), x);
    } else if (kind === 'up' && h! * w! <= 64) {
      x = apply(tf.layers.upSampling2d({ size: [int(1, 2), int(1, 2)], interpolation: pick(['nearest', 'bilinear'] as const) }), x);
    } else if (kind === 'residual') {
      x = apply(tf.layers.add(), [x, apply(tf.layers.conv2d({ filters: c!, kernelSize: k, padding: 'same', activation: 'relu' }), x)]);
    } else if (kind === 'concat') {
      x = apply(tf.layers.concatenate(), [x, apply(tf.layers.prelu({ sharedAxes: rng() < 0.5 ? [1, 2] : undefined }), x)]);
    } else if (kind === 'act') {
      x = apply(pick([tf.layers.reLU({ maxValue: 6 }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.elu({}), tf.layers.thresholdedReLU({ theta: 0.1 }), tf.layers.reLU({})]), x);
    } else if (kind === 'transpose' && h! * w! <= 64) {
      x = apply(tf.layers.conv2dTranspose({ filters: int(1, 4), kernelSize: int(1, 3), strides: int(1, 2), padding }), x);
    }
  }
  const tail = pick(['gap', 'gmp', 'flatten'] as const);
  const pooled = tail === 'gap' ? apply(tf.layers.globalAveragePooling2d({}), x) : tail === 'gmp' ? apply(tf.layers.globalMaxPooling2d({}), x) : x;
  const model = tf.model({ inputs: input, outputs: head(pooled, int(2, 5)) });
  randomizeWeights(model, seed);
  return model;
}

/** A sequence model: floats [T, C] or token ids [T] (Embedding, maybe mask_zero) through random recurrent stacks. */
export function randomSequenceModel(seed: number): { model: tf.LayersModel; steps: number; dynamicTime: boolean } {
  const { rng, int, pick } = picker(seed);
  const steps = int(3, 10);
  const ids = rng() < 0.4;
  const input = ids ? tf.input({ shape: [steps], dtype: 'int32' }) : tf.input({ shape: [steps, int(1, 4)] });
  const maskZero = ids && rng() < 0.5;
  let x: Sym = ids ? apply(tf.layers.embedding({ inputDim: int(3, 12), outputDim: int(2, 5), maskZero }), input) : input;
  const cellArgs = () => ({ units: int(1, 5), activation: pick(RNN_ACTIVATIONS), recurrentActivation: pick(RECURRENT_ACTIVATIONS) });
  /** A recurrent layer; go_backwards only outside Bidirectional (the exporter refuses it inside). */
  const recurrent = (returnSequences: boolean, wrapped = false): tf.RNN => {
    const cls = pick(['lstm', 'gru', 'simpleRNN'] as const);
    const args = { ...cellArgs(), returnSequences, goBackwards: !wrapped && rng() < 0.3 };
    return (cls === 'simpleRNN' ? tf.layers.simpleRNN({ units: args.units, activation: args.activation, returnSequences, goBackwards: args.goBackwards }) : tf.layers[cls](args)) as tf.RNN;
  };
  if (!maskZero) {
    for (let i = int(0, 3); i > 0; i--) {
      const kind = pick(['rnn', 'bidirectional', 'timeDistributed', 'ln', 'conv', 'dense', 'dropout'] as const);
      if (kind === 'rnn') x = apply(recurrent(true), x);
      else if (kind === 'bidirectional') x = apply(tf.layers.bidirectional({ layer: recurrent(true, true), mergeMode: pick(['concat', 'sum', 'mul', 'ave'] as const) }), x);
      else if (kind === 'timeDistributed') x = apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: int(1, 4), activation: pick(ACTIVATIONS) }) }), x);
      else if (kind === 'ln') x = apply(tf.layers.layerNormalization({}), x);
      else if (kind === 'conv') x = apply(tf.layers.conv1d({ filters: int(1, 4), kernelSize: int(1, 3), padding: 'same', activation: 'relu' }), x);
      else if (kind === 'dense') x = apply(tf.layers.dense({ units: int(1, 4) }), x);
      else x = apply(tf.layers.dropout({ rate: 0.3 }), x);
    }
  } else if (rng() < 0.5) {
    x = apply(tf.layers.dense({ units: int(1, 4) }), x); // the mask passes a Dense
  }
  const tail = maskZero ? pick(['rnn', 'bidirectional'] as const) : pick(['rnn', 'bidirectional', 'sequence', 'pool'] as const);
  let out: Sym;
  if (tail === 'rnn') out = head(apply(recurrent(false), x));
  else if (tail === 'bidirectional') out = head(apply(tf.layers.bidirectional({ layer: recurrent(false, true), mergeMode: pick(['concat', 'sum', 'ave'] as const) }), x));
  else if (tail === 'pool') out = head(apply(tf.layers.globalAveragePooling1d(), x));
  else out = apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: int(2, 4), activation: 'softmax' }) }), apply(recurrent(true), x));
  const model = tf.model({ inputs: input, outputs: out });
  randomizeWeights(model, seed);
  return { model, steps, dynamicTime: rng() < 0.4 };
}
