// The converter table: Keras layer class name -> converter. One explicit Map literal, alphabetical;
// adding a layer is one entry here plus its converter in the family module. No registration by import.
import type { Converter } from '../convert-context.js';
import { activation, dense, flatten, inferenceIdentity, inputLayer, reshape } from './core.js';
import { conv1d } from './conv.js';
import { add, average, concatenate, maximum, minimum, multiply } from './merge.js';
import { batchNormalization } from './normalization.js';
import { averagePooling1d, globalAveragePooling1d, globalMaxPooling1d, maxPooling1d } from './pooling.js';
import { gruLayer, resetAfterGru } from './recurrent.js';

export const CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['Activation', activation],
  ['Add', add],
  ['AlphaDropout', inferenceIdentity],
  ['Average', average],
  ['AveragePooling1D', averagePooling1d],
  ['BatchNormalization', batchNormalization],
  ['Concatenate', concatenate],
  ['Conv1D', conv1d],
  ['Dense', dense],
  ['Dropout', inferenceIdentity],
  ['Flatten', flatten],
  ['GaussianDropout', inferenceIdentity],
  ['GaussianNoise', inferenceIdentity],
  ['GlobalAveragePooling1D', globalAveragePooling1d],
  ['GlobalMaxPooling1D', globalMaxPooling1d],
  ['GRU', gruLayer],
  ['InputLayer', inputLayer],
  ['Maximum', maximum],
  ['MaxPooling1D', maxPooling1d],
  ['Minimum', minimum],
  ['Multiply', multiply],
  ['ResetAfterGRU', resetAfterGru],
  ['Reshape', reshape],
  ['SpatialDropout1D', inferenceIdentity],
]);

export function supportedClasses(): string[] {
  return [...CONVERTERS.keys()];
}
