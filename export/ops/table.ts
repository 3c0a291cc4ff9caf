// The converter table: Keras layer class name -> converter. One explicit Map literal, alphabetical;
// adding a layer is one entry here plus its converter in the family module. No registration by import.
import type { Converter } from '../convert-context.js';
import { elu, leakyRelu, prelu, relu, softmax, thresholdedRelu } from './advanced-activations.js';
import { activation, dense, embedding, flatten, inferenceIdentity, inputLayer, reshape } from './core.js';
import { conv1d, conv2d, depthwiseConv2d, separableConv1d, separableConv2d } from './conv.js';
import { conv2dTranspose } from './conv-transpose.js';
import { add, average, concatenate, dot, maximum, minimum, multiply, subtract } from './merge.js';
import { batchNormalization, layerNormalization } from './normalization.js';
import { averagePooling1d, averagePooling2d, globalAveragePooling1d, globalAveragePooling2d, globalMaxPooling1d, globalMaxPooling2d, maxPooling1d, maxPooling2d } from './pooling.js';
import { gruLayer, lstm, resetAfterGru, simpleRnn } from './recurrent.js';
import { cropping, permuteLayer, repeatVector, upSampling, zeroPadding } from './reshaping.js';
import { bidirectional, timeDistributed } from './wrappers.js';

export const CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['Activation', activation],
  ['Add', add],
  ['AlphaDropout', inferenceIdentity],
  ['Average', average],
  ['AveragePooling1D', averagePooling1d],
  ['AveragePooling2D', averagePooling2d],
  ['BatchNormalization', batchNormalization],
  ['Bidirectional', bidirectional],
  ['Concatenate', concatenate],
  ['Conv1D', conv1d],
  ['Conv2D', conv2d],
  ['Conv2DTranspose', conv2dTranspose],
  ['Cropping1D', cropping],
  ['Cropping2D', cropping],
  ['Dense', dense],
  ['DepthwiseConv2D', depthwiseConv2d],
  ['Dot', dot],
  ['Dropout', inferenceIdentity],
  ['ELU', elu],
  ['Embedding', embedding],
  ['Flatten', flatten],
  ['GaussianDropout', inferenceIdentity],
  ['GaussianNoise', inferenceIdentity],
  ['GlobalAveragePooling1D', globalAveragePooling1d],
  ['GlobalAveragePooling2D', globalAveragePooling2d],
  ['GlobalMaxPooling1D', globalMaxPooling1d],
  ['GlobalMaxPooling2D', globalMaxPooling2d],
  ['GRU', gruLayer],
  ['InputLayer', inputLayer],
  ['LayerNormalization', layerNormalization],
  ['LeakyReLU', leakyRelu],
  ['LSTM', lstm],
  ['Maximum', maximum],
  ['MaxPooling1D', maxPooling1d],
  ['MaxPooling2D', maxPooling2d],
  ['Minimum', minimum],
  ['Multiply', multiply],
  ['Permute', permuteLayer],
  ['PReLU', prelu],
  ['ReLU', relu],
  ['RepeatVector', repeatVector],
  ['ResetAfterGRU', resetAfterGru],
  ['Reshape', reshape],
  ['SeparableConv1D', separableConv1d],
  ['SeparableConv2D', separableConv2d],
  ['SimpleRNN', simpleRnn],
  ['Softmax', softmax],
  ['SpatialDropout1D', inferenceIdentity],
  ['Subtract', subtract],
  ['ThresholdedReLU', thresholdedRelu],
  ['TimeDistributed', timeDistributed],
  ['UpSampling1D', upSampling],
  ['UpSampling2D', upSampling],
  ['ZeroPadding1D', zeroPadding],
  ['ZeroPadding2D', zeroPadding],
]);

export function supportedClasses(): string[] {
  return [...CONVERTERS.keys()];
}
