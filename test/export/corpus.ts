// A corpus of real architectures built with tf.layers (seeded random weights), the models people
// actually train and ask to run on ONNX: MobileNet v1 (alpha 0.25, 96x96x3, as Keras Applications
// builds it), a MobileNet v2-style stack of inverted residual blocks, the TF.js speech-commands
// Conv2D model on a 43x232 spectrogram, an Embedding + Bidirectional LSTM text classifier (mask_zero,
// padded ids), an encoder-decoder LSTM (return_state -> initial_state, return_sequences), and a
// two-input (image + tabular) model. Used by corpus.test.ts and bench/corpus.ts.
import * as tf from '@tensorflow/tfjs';
import type { Feed } from './fixtures.js';
import { makeRng } from './rng.js';
import { apply, randomizeWeights } from './models.js';

type Sym = tf.SymbolicTensor;

export interface CorpusModel {
  name: string;
  build(): tf.LayersModel;
  /** Inputs for a batch of n (default: random inputs of the signature). */
  feeds?(n: number, seed: number): Feed[];
}

const relu6 = (x: Sym) => apply(tf.layers.reLU({ maxValue: 6 }), x);
const bnRelu6 = (x: Sym) => relu6(apply(tf.layers.batchNormalization({ epsilon: 1e-3 }), x));

/** Keras Applications MobileNet v1 (include_top, dropout 1e-3), alpha 0.25. */
function mobilenetV1(alpha = 0.25, classes = 1000): tf.LayersModel {
  const f = (n: number) => Math.round(n * alpha);
  const input = tf.input({ shape: [96, 96, 3], name: 'image' });
  let x = bnRelu6(apply(tf.layers.conv2d({ filters: f(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false }), input));
  const blocks: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  for (const [filters, strides] of blocks) {
    if (strides === 2) x = apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }), x);
    x = bnRelu6(apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: strides === 1 ? 'same' : 'valid', useBias: false }), x));
    x = bnRelu6(apply(tf.layers.conv2d({ filters: f(filters), kernelSize: 1, useBias: false }), x));
  }
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  x = apply(tf.layers.reshape({ targetShape: [1, 1, f(1024)] }), x);
  x = apply(tf.layers.dropout({ rate: 1e-3 }), x);
  x = apply(tf.layers.conv2d({ filters: classes, kernelSize: 1, padding: 'same' }), x);
  x = apply(tf.layers.reshape({ targetShape: [classes] }), x);
  return tf.model({ inputs: input, outputs: apply(tf.layers.activation({ activation: 'softmax' }), x), name: 'mobilenet_v1_0.25_96' });
}

/** MobileNet v2 inverted residual blocks (expand 1x1, depthwise 3x3, linear project 1x1, residual add). */
function mobilenetV2Blocks(classes = 10): tf.LayersModel {
  const input = tf.input({ shape: [96, 96, 3], name: 'image' });
  let x = bnRelu6(apply(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), input));
  const blocks: [number, number, number][] = [[1, 16, 1], [6, 24, 2], [6, 24, 1], [6, 32, 2], [6, 32, 1], [6, 32, 1], [6, 64, 2], [6, 64, 1]];
  for (const [t, c, s] of blocks) {
    const cin = x.shape[3] as number;
    let y = x;
    if (t !== 1) y = bnRelu6(apply(tf.layers.conv2d({ filters: cin * t, kernelSize: 1, useBias: false }), y));
    y = bnRelu6(apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: s, padding: 'same', useBias: false }), y));
    y = apply(tf.layers.batchNormalization({ epsilon: 1e-3 }), apply(tf.layers.conv2d({ filters: c, kernelSize: 1, useBias: false }), y));
    x = s === 1 && cin === c ? apply(tf.layers.add(), [x, y]) : y;
  }
  x = bnRelu6(apply(tf.layers.conv2d({ filters: 256, kernelSize: 1, useBias: false }), x));
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  return tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: classes, activation: 'softmax' }), x), name: 'mobilenet_v2_blocks' });
}

/** The TF.js speech-commands browser model (BROWSER_FFT, 18 words + noise + unknown). */
function speechCommands(): tf.LayersModel {
  const input = tf.input({ shape: [43, 232, 1], name: 'spectrogram' });
  let x = apply(tf.layers.conv2d({ filters: 8, kernelSize: [2, 8], activation: 'relu' }), input);
  x = apply(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }), x);
  for (const last of [false, false, true]) {
    x = apply(tf.layers.conv2d({ filters: 32, kernelSize: [2, 4], activation: 'relu' }), x);
    x = apply(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: last ? [1, 2] : [2, 2] }), x);
  }
  x = apply(tf.layers.dropout({ rate: 0.25 }), apply(tf.layers.flatten(), x));
  x = apply(tf.layers.dropout({ rate: 0.5 }), apply(tf.layers.dense({ units: 2000, activation: 'relu' }), x));
  return tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 20, activation: 'softmax' }), x), name: 'speech_commands' });
}

const TEXT = { steps: 40, vocab: 2000 };

function textClassifier(): tf.LayersModel {
  const ids = tf.input({ shape: [TEXT.steps], dtype: 'int32', name: 'token_ids' });
  const e = apply(tf.layers.embedding({ inputDim: TEXT.vocab, outputDim: 32, maskZero: true }), ids);
  const b = apply(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 32 }) as tf.RNN }), e);
  const d = apply(tf.layers.dropout({ rate: 0.3 }), apply(tf.layers.dense({ units: 16, activation: 'relu' }), b));
  return tf.model({ inputs: ids, outputs: apply(tf.layers.dense({ units: 2, activation: 'softmax' }), d), name: 'text_bilstm' });
}

/** Padded token ids: each row a random length (1..steps) of tokens, then zeros (mask_zero padding). */
function paddedIds(n: number, seed: number): Feed[] {
  const rng = makeRng(seed);
  const data = new Int32Array(n * TEXT.steps);
  for (let i = 0; i < n; i++) {
    const length = 1 + Math.floor(rng() * TEXT.steps);
    for (let t = 0; t < length; t++) data[i * TEXT.steps + t] = 1 + Math.floor(rng() * (TEXT.vocab - 1));
  }
  return [{ name: 'token_ids', dtype: 'int32', shape: [n, TEXT.steps], data }];
}

function seq2seq(): tf.LayersModel {
  const encoderIn = tf.input({ shape: [12, 16], name: 'encoder_input' });
  const decoderIn = tf.input({ shape: [10, 16], name: 'decoder_input' });
  const [, h, c] = tf.layers.lstm({ units: 64, returnState: true, recurrentActivation: 'sigmoid' }).apply(encoderIn) as Sym[];
  const dec = tf.layers.lstm({ units: 64, returnSequences: true, recurrentActivation: 'sigmoid' }).apply(decoderIn, { initialState: [h!, c!] }) as Sym;
  const out = apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 16, activation: 'softmax' }) }), dec);
  return tf.model({ inputs: [encoderIn, decoderIn], outputs: out, name: 'seq2seq_lstm' });
}

function imageAndTabular(): tf.LayersModel {
  const image = tf.input({ shape: [32, 32, 3], name: 'image' });
  const tabular = tf.input({ shape: [8], name: 'tabular' });
  let x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), apply(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), image));
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), apply(tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), x));
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  const t = apply(tf.layers.dense({ units: 16, activation: 'relu' }), apply(tf.layers.batchNormalization({}), tabular));
  const joint = apply(tf.layers.dense({ units: 32, activation: 'relu' }), apply(tf.layers.concatenate(), [x, t]));
  return tf.model({ inputs: [image, tabular], outputs: apply(tf.layers.dense({ units: 5, activation: 'softmax' }), joint), name: 'image_tabular' });
}

const seeded = (build: () => tf.LayersModel, seed: number) => () => {
  const m = build();
  randomizeWeights(m, seed);
  return m;
};

export const CORPUS: readonly CorpusModel[] = Object.freeze([
  { name: 'MobileNet v1 0.25 96x96', build: seeded(() => mobilenetV1(), 1) },
  { name: 'MobileNet v2 blocks 96x96', build: seeded(mobilenetV2Blocks, 2) },
  { name: 'speech-commands Conv2D 43x232', build: seeded(speechCommands, 3) },
  { name: 'text Embedding + BiLSTM (mask_zero)', build: seeded(textClassifier, 4), feeds: paddedIds },
  { name: 'seq2seq encoder-decoder LSTM', build: seeded(seq2seq, 5) },
  { name: 'two-input image + tabular', build: seeded(imageAndTabular, 6) },
]);
