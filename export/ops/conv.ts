// Conv1D -> ONNX Conv(X[N,C,T], W[M,C,K], B[M]; kernel_shape, strides, dilations, pads).
// Porting notes: TF.js Conv1D is NWC with kernel [K, Cin, Cout]; ONNX Conv is NCW with W [Cout, Cin, K].
// SAME padding puts the odd pad at the end (TF).
// Whether a tiny Conv runs faster as one MatMul is decided later, by passes/lower-small-conv.ts.
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Dim } from '../graph.js';
import { CHANNELS_FIRST, permute } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { applyActivation } from './activations.js';
import { windowOutputLength, windowPads, type Padding } from './padding.js';

/** Keras kernel [K, Cin, Cout] -> ONNX W [Cout, Cin, K]. */
export function convKernelToOnnx(kernel: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const w = new Float32Array(kernel.length);
  for (let t = 0; t < k; t++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w[(o * cin + i) * k + t] = kernel[(t * cin + i) * cout + o]!;
  return w;
}

export const conv1d: Converter = (ctx, [x]) => {
  const cfg = ctx.cfg;
  cfg.requireDefault('data_format', 'channels_last');
  cfg.requireDefault('groups', 1);
  cfg.requireDefault('kernel_constraint');
  const filters = cfg.positiveInt('filters');
  const k = cfg.size1d('kernel_size');
  const stride = cfg.size1d('strides', 1);
  const dilation = cfg.size1d('dilation_rate', 1);
  if (stride > 1 && dilation > 1) cfg.fail('strides with dilation_rate', [stride, dilation], 'strides 1 when dilation_rate > 1 (as in Keras)');
  // 'causal' is left out: TF.js cannot run it, so no export of it could be checked against TF.js.
  const padding = cfg.oneOf<Padding>('padding', ['same', 'valid'], 'valid');
  const useBias = cfg.bool('use_bias', true);
  const [, length, cin] = x!.shape;
  if (typeof length !== 'number' || typeof cin !== 'number') throw new UnsupportedLayerError(`${cfg.where}: input [${x!.shape}] needs static length and channels`);
  const pads = windowPads(padding, length, k, stride, dilation);
  const outLength = windowOutputLength(length, pads, k, stride, dilation);
  if (outLength < 1) throw new UnsupportedLayerError(`${cfg.where}: input length ${length} is shorter than the kernel (${k}, dilation ${dilation}) with padding ${padding}`);

  const w = ctx.graph.floatConst(ctx.hint('W'), [filters, cin, k], convKernelToOnnx(ctx.weight('kernel', [k, cin, filters]), k, cin, filters));
  const inputs = [ctx.as(x!, CHANNELS_FIRST), w];
  if (useBias) inputs.push(ctx.graph.floatConst(ctx.hint('B'), [filters], ctx.weight('bias', [filters])));
  const kerasOut: Dim[] = ['N', outLength, filters];
  const stored = permute(kerasOut, CHANNELS_FIRST);
  const y = ctx.add('Conv', inputs, stored, {
    kernel_shape: attr.ints([k]),
    strides: attr.ints([stride]),
    dilations: attr.ints([dilation]),
    pads: attr.ints(pads),
  });
  return [{ name: applyActivation(ctx, y, stored, CHANNELS_FIRST), shape: kerasOut, perm: CHANNELS_FIRST }];
};
