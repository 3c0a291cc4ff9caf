// Core layers: InputLayer, Dense, Activation, Dropout-like layers, Flatten, Reshape, Embedding.
// Porting notes: Keras Dense acts on the last axis of any rank (ONNX Gemm is 2-D only, so rank > 2
// uses MatMul + Add); Flatten and Reshape follow Keras's channels-last element order, so their input
// is brought back to Keras layout first; dropout and noise layers are the identity at inference.
import { ModelFormatError, UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Dim } from '../graph.js';
import { identity, permute } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { applyActivation } from './activations.js';

const staticDim = (d: Dim | undefined): d is number => typeof d === 'number';

/**
 * A graph input named by ConvertOptions (the ECG contract's INPUT_NAME) or after the layer; any rank,
 * float32 or int32, dynamic batch 'N'; Keras None dims stay dynamic, and with dynamicTime so does the
 * time axis of sequences ([N, T, C] floats, [N, T] ids).
 */
export const inputLayer: Converter = (ctx) => {
  const shape = ctx.cfg.raw('batch_input_shape') ?? ctx.cfg.raw('batch_shape');
  const dtype = ctx.cfg.oneOf('dtype', ['float32', 'int32'] as const, 'float32');
  if (ctx.cfg.raw('sparse') === true || ctx.cfg.raw('ragged') === true) ctx.cfg.fail('sparse/ragged', true, 'dense inputs');
  if (!Array.isArray(shape) || shape.length < 2 || shape.slice(1).some((d) => d !== null && !(Number.isInteger(d) && d > 0))) {
    throw new UnsupportedLayerError(`${ctx.cfg.where}: batch_input_shape ${JSON.stringify(shape)} is not supported; supported: [null, ...sizes] (positive sizes or null); build the model with tf.input({shape})`);
  }
  const input = ctx.graphInput!;
  const sequence = (dtype === 'float32' && shape.length === 3) || (dtype === 'int32' && shape.length === 2);
  const kerasShape: Dim[] = ['N', ...(shape.slice(1) as (number | null)[]).map((d, i) => (i === 0 && sequence && ctx.options.dynamicTime ? input.timeSymbol : d ?? `${input.name}_d${i + 1}`))];
  ctx.graph.addInput(input.name, kerasShape, dtype);
  return [{ name: input.name, shape: kerasShape, perm: identity(kerasShape.length), ...(dtype === 'int32' ? { dtype } : {}) }];
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

/** Keras data_format channels_first flattens in channels-last order (TF.js transposes first). */
export const flatten: Converter = (ctx, [x]) => {
  const format = ctx.cfg.oneOf('data_format', ['channels_last', 'channels_first'] as const, 'channels_last');
  const rest = x!.shape.slice(1);
  if (!rest.every(staticDim)) throw new UnsupportedLayerError(`${ctx.cfg.where}: input shape [${x!.shape}] has a dynamic dimension; Flatten needs static sizes`);
  const shape: Dim[] = ['N', rest.reduce((a, b) => a * b, 1)];
  if (x!.shape.length === 2) return [x!];
  const rank = x!.shape.length;
  const order = format === 'channels_first' ? [0, ...identity(rank).slice(2), 1] : identity(rank);
  return [{ name: ctx.add('Flatten', [ctx.as(x!, order)], shape, { axis: attr.int(1) }), shape, perm: identity(2) }];
};

/**
 * Embedding -> Gather(embeddings [V, E], ids) along axis 0: [N, ...] ids -> [N, ..., E]. Ids must be
 * integers (ONNX Gather takes int32 indices); float ids are Cast to int32 first, truncating as TF.js
 * does. mask_zero is carried to the layers that read masks (the recurrent converters).
 */
export const embedding: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('embeddings_constraint');
  const vocab = ctx.cfg.positiveInt('input_dim');
  const dim = ctx.cfg.positiveInt('output_dim');
  const table = ctx.graph.floatConst(ctx.hint('embeddings'), [vocab, dim], ctx.weight('embeddings', [vocab, dim]));
  const idsStored = permute(x!.shape, x!.perm);
  const ids = x!.dtype === 'int32' ? x!.name : ctx.add('Cast', [x!.name], idsStored, { to: attr.int(6) }, 'ids');
  const shape: Dim[] = [...x!.shape, dim];
  const perm = [...x!.perm, x!.shape.length];
  const y = ctx.add('Gather', [table, ids], permute(shape, perm), { axis: attr.int(0) });
  const maskZero = ctx.cfg.bool('mask_zero', false);
  if (maskZero && (x!.shape.length !== 2 || x!.perm[0] !== 0)) ctx.cfg.fail('mask_zero with input rank', x!.shape.length, 'ids [N, T]');
  return [{ name: y, shape, perm, ...(maskZero ? { maskIds: ids } : {}) }];
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
