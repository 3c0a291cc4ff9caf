// Core layers: InputLayer, Dense, Activation, Dropout-like layers, Flatten, Reshape.
// Porting notes: Keras Dense acts on the last axis of any rank (ONNX Gemm is 2-D only, so rank > 2
// uses MatMul + Add); Flatten and Reshape follow Keras's channels-last element order, so their input
// is brought back to Keras layout first; dropout and noise layers are the identity at inference.
import { INPUT_NAME, ModelFormatError, UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Dim } from '../graph.js';
import { identity, permute } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { applyActivation } from './activations.js';

const staticDim = (d: Dim | undefined): d is number => typeof d === 'number';

/** Graph input INPUT_NAME, shape [N, T, C] with a dynamic batch, as the runtimes expect. */
export const inputLayer: Converter = (ctx) => {
  const shape = ctx.cfg.raw('batch_input_shape') ?? ctx.cfg.raw('batch_shape');
  const dtype = ctx.cfg.raw('dtype') ?? 'float32';
  if (dtype !== 'float32') ctx.cfg.fail('dtype', dtype, 'float32');
  if (ctx.cfg.raw('sparse') === true || ctx.cfg.raw('ragged') === true) ctx.cfg.fail('sparse/ragged', true, 'dense inputs');
  if (!Array.isArray(shape) || shape.length !== 3 || !staticDim(shape[1]) || !staticDim(shape[2])) {
    throw new UnsupportedLayerError(
      `${ctx.cfg.where}: batch_input_shape ${JSON.stringify(shape)} is not supported; supported: [null, T, C] with static T and C (beats of fixed length); build the model with tf.input({shape: [T, C]})`,
    );
  }
  const kerasShape: Dim[] = ['N', shape[1], shape[2]];
  ctx.graph.addInput(INPUT_NAME, kerasShape);
  return [{ name: INPUT_NAME, shape: kerasShape, perm: identity(3) }];
};

/** Gemm(A, B, C) for 2-D input; MatMul(A, B) + Add(C) otherwise. Kernel [I, U] is already B. */
export const dense: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('kernel_constraint');
  const units = ctx.cfg.positiveInt('units');
  const useBias = ctx.cfg.bool('use_bias', true);
  const inDim = x!.shape[x!.shape.length - 1];
  if (!staticDim(inDim)) throw new UnsupportedLayerError(`${ctx.cfg.where}: input's last dimension is not static`);
  const kernel = ctx.graph.floatConst(ctx.hint('kernel'), [inDim, units], ctx.weight('kernel', [inDim, units]));
  const bias = useBias ? ctx.graph.floatConst(ctx.hint('bias'), [units], ctx.weight('bias', [units])) : undefined;
  const outShape = [...x!.shape.slice(0, -1), units];
  let y: string;
  if (x!.shape.length === 2) {
    y = ctx.add('Gemm', bias ? [x!.name, kernel, bias] : [x!.name, kernel], outShape);
  } else {
    const xk = ctx.as(x!, identity(x!.shape.length));
    y = ctx.add('MatMul', [xk, kernel], outShape);
    if (bias) y = ctx.add('Add', [y, bias], outShape, {}, 'BiasAdd');
  }
  const perm = identity(outShape.length);
  return [{ name: applyActivation(ctx, y, outShape, perm), shape: outShape, perm }];
};

export const activation: Converter = (ctx, [x]) => [
  { ...x!, name: applyActivation(ctx, x!.name, permute(x!.shape, x!.perm), x!.perm) },
];

/** Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout: identity at inference. */
export const inferenceIdentity: Converter = (_ctx, [x]) => [x!];

export const flatten: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('data_format', 'channels_last');
  const rest = x!.shape.slice(1);
  if (!rest.every(staticDim)) throw new UnsupportedLayerError(`${ctx.cfg.where}: input shape [${x!.shape}] has a dynamic dimension; Flatten needs static sizes`);
  const shape: Dim[] = ['N', rest.reduce((a, b) => a * b, 1)];
  if (x!.shape.length === 2) return [x!];
  return [{ name: ctx.add('Flatten', [ctx.as(x!, identity(x!.shape.length))], shape, { axis: attr.int(1) }), shape, perm: identity(2) }];
};

export const reshape: Converter = (ctx, [x]) => {
  const target = ctx.cfg.raw('target_shape');
  if (!Array.isArray(target) || target.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) ctx.cfg.fail('target_shape', target, 'a list of positive sizes (at most one -1)');
  const size = x!.shape.slice(1);
  if (!size.every(staticDim)) throw new UnsupportedLayerError(`${ctx.cfg.where}: input shape [${x!.shape}] has a dynamic dimension; Reshape needs static sizes`);
  const total = size.reduce((a, b) => a * b, 1);
  const known = (target as number[]).filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = (target as number[]).map((d) => (d === -1 ? total / known : d));
  if (resolved.reduce((a, b) => a * b, 1) !== total || !resolved.every(Number.isInteger)) {
    throw new ModelFormatError(`${ctx.cfg.where}: target_shape ${JSON.stringify(target)} does not fit input [${x!.shape}]`);
  }
  const shape: Dim[] = ['N', ...resolved];
  // 0 copies the batch dimension (allowzero=0), so the graph keeps a dynamic batch.
  const spec = ctx.graph.int64Const(ctx.hint('shape'), [0, ...resolved]);
  return [{ name: ctx.add('Reshape', [ctx.as(x!, identity(x!.shape.length)), spec], shape), shape, perm: identity(shape.length) }];
};
