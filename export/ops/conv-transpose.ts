// Conv2DTranspose -> ONNX ConvTranspose(X[N,C,H,W], W[C,M,kh,kw], B[M]; kernel_shape, strides, pads,
// output_padding).
// Porting notes: the Keras kernel is [kh, kw, filters, C] (output channels before input channels);
// ONNX wants [C, M, kh, kw]. Output size follows TF.js deconvLength: valid -> in*s + max(k - s, 0),
// same -> in*s; TF crops the full (in-1)*s + k result like the SAME forward conv it transposes
// (begin = total // 2, the odd element at the end), and when k < s the missing tail rows (bias only)
// are ONNX output_padding. Keras output_padding and dilation are refused (TF.js has neither).
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr } from '../graph.js';
import { permute } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { applyActivation } from './activations.js';
import { windowLayout } from './window.js';

export const conv2dTranspose: Converter = (ctx, [x]) => {
  const cfg = ctx.cfg;
  cfg.requireDefault('output_padding');
  cfg.requireDefault('kernel_constraint');
  const layout = windowLayout(ctx, x!, 2);
  const filters = cfg.positiveInt('filters');
  const kernel = cfg.sizes('kernel_size', 2);
  const strides = cfg.sizes('strides', 2, [1, 1]);
  if (cfg.sizes('dilation_rate', 2, [1, 1]).some((d) => d !== 1)) cfg.fail('dilation_rate', cfg.raw('dilation_rate'), '1 (TF.js has no dilated Conv2DTranspose)');
  const padding = cfg.oneOf('padding', ['same', 'valid'] as const, 'valid');
  const cin = layout.channels;
  if (typeof cin !== 'number' || !layout.spatial.every((d): d is number => typeof d === 'number')) {
    throw new UnsupportedLayerError(`${cfg.where}: input [${x!.shape}] needs static spatial sizes and channels`);
  }
  const begins: number[] = [];
  const ends: number[] = [];
  const extra: number[] = [];
  const out = layout.spatial.map((length, i) => {
    const [k, s] = [kernel[i]!, strides[i]!];
    const total = padding === 'same' ? Math.max(k - s, 0) : 0;
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
    extra.push(Math.max(s - k, 0));
    return padding === 'same' ? length * s : length * s + Math.max(k - s, 0);
  });
  // Keras [kh, kw, M, C] -> ONNX [C, M, kh, kw].
  const taps = kernel[0]! * kernel[1]!;
  const kw = ctx.weight('kernel', [...kernel, filters, cin]);
  const w = new Float32Array(kw.length);
  for (let t = 0; t < taps; t++) for (let o = 0; o < filters; o++) for (let c = 0; c < cin; c++) w[(c * filters + o) * taps + t] = kw[(t * filters + o) * cin + c]!;
  const inputs = [ctx.as(x!, layout.perm), ctx.graph.floatConst(ctx.hint('W'), [cin, filters, ...kernel], w)];
  if (cfg.bool('use_bias', true)) inputs.push(ctx.graph.floatConst(ctx.hint('B'), [filters], ctx.weight('bias', [filters])));
  const kerasOut = layout.kerasShape(out, filters);
  const stored = permute(kerasOut, layout.perm);
  const attributes = { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), pads: attr.ints([...begins, ...ends]), ...(extra.some((e) => e > 0) ? { output_padding: attr.ints(extra) } : {}) };
  const y = ctx.add('ConvTranspose', inputs, stored, attributes);
  return [{ name: applyActivation(ctx, y, stored, layout.perm), shape: kerasOut, perm: layout.perm }];
};
