// Temperature scaling inside the model: softmax(z / t) with z = h W + b is softmax(h (W / t) + b / t),
// so dividing the last Dense layer's kernel and bias by t calibrates the TF.js model exactly, and the
// exported .onnx (which folds nothing else into that layer) carries it at no cost at inference.
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ModelFormatError } from '@ecg-onnx/core';

/** The Dense layer whose softmax is the model's output. */
function outputDense(model: tf.LayersModel): tf.layers.Layer {
  const layer = model.outputLayers?.[0] ?? model.layers[model.layers.length - 1]!;
  const config = layer.getConfig() as { activation?: string };
  if (layer.getClassName() !== 'Dense' || config.activation !== 'softmax') {
    throw new ModelFormatError(`temperature scaling needs a Dense softmax output layer; the model ends in ${layer.getClassName()} (${config.activation ?? 'no activation'})`);
  }
  return layer;
}

export function validateTemperature(t: number): void {
  if (!(Number.isFinite(t) && t > 0)) throw new InvalidInputError(undefined, `--temperature must be a positive number, got ${t}`);
}

/** Divides the output Dense layer's kernel and bias by t (t > 1 softens, t < 1 sharpens). */
export function foldTemperature(model: tf.LayersModel, t: number): void {
  validateTemperature(t);
  const layer = outputDense(model);
  const scaled = tf.tidy(() => layer.getWeights().map((w) => tf.div(w, t)));
  layer.setWeights(scaled);
  tf.dispose(scaled);
}
