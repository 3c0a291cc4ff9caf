// Convolutions -> ONNX Conv(X[N,C,spatial..], W[M,C/group,k..], B[M]; kernel_shape, strides, dilations,
// pads | auto_pad, group): Conv1D, Conv2D, DepthwiseConv2D (group = C), SeparableConv1D/2D (a depthwise
// Conv, then a 1x1 Conv with the bias).
// Porting notes: TF.js convolutions are channels-last with kernel [k.., Cin, Cout]; ONNX is channels-
// first with W [Cout, Cin, k..] (spatial taps keep their row-major order). A depthwise kernel
// [k.., C, mult] is W [C*mult, 1, k..] with output channel c*mult + m, as in TF. SAME padding puts
// the odd pad at the end (TF). data_format channels_first needs no transpose at all.
// Whether a tiny 1-D Conv runs faster as one MatMul is decided later, by passes/lower-small-conv.ts.
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Attr, type Dim } from '../graph.js';
import { permute } from '../layout.js';
import type { ConvertContext, Converter, KerasValue } from '../convert-context.js';
import { applyActivation } from './activations.js';
import { windowGeometry, type Padding } from './padding.js';
import { windowLayout, type WindowLayout } from './window.js';

/** Keras kernel [K, Cin, Cout] (K = spatial taps, row-major) -> ONNX W [Cout, Cin, K]. */
export function convKernelToOnnx(kernel: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const w = new Float32Array(kernel.length);
  for (let t = 0; t < k; t++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w[(o * cin + i) * k + t] = kernel[(t * cin + i) * cout + o]!;
  return w;
}

interface Window {
  layout: WindowLayout;
  cin: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  attributes: Record<string, Attr>;
  out: Dim[];
}

/** Kernel, strides, dilations and padding of a conv over `spatialRank` dims; checks what TF allows. */
function convWindow(ctx: ConvertContext, x: KerasValue, spatialRank: number, kernelKey = 'kernel_size'): Window {
  const cfg = ctx.cfg;
  const layout = windowLayout(ctx, x, spatialRank);
  cfg.requireDefault('groups', 1);
  const kernel = cfg.sizes(kernelKey, spatialRank);
  const strides = cfg.sizes('strides', spatialRank, Array<number>(spatialRank).fill(1));
  const dilations = cfg.sizes('dilation_rate', spatialRank, Array<number>(spatialRank).fill(1));
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) cfg.fail('strides with dilation_rate', [strides, dilations], 'strides 1 when dilation_rate > 1 (as in Keras)');
  // 'causal' is left out: TF.js cannot run it, so no export of it could be checked against TF.js.
  const padding = cfg.oneOf<Padding>('padding', ['same', 'valid'], 'valid');
  const cin = layout.channels;
  if (typeof cin !== 'number') throw new UnsupportedLayerError(`${cfg.where}: input [${x.shape}] needs a static channel count`);
  const geometry = windowGeometry(layout.spatial, kernel, strides, dilations, padding, (i) => `${ctx.call.name}_d${i + 1}`);
  if (geometry.out.some((d) => typeof d === 'number' && d < 1)) {
    throw new UnsupportedLayerError(`${cfg.where}: input [${x.shape}] is smaller than the kernel (${kernel}, dilation ${dilations}) with padding ${padding}`);
  }
  const attributes = { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), dilations: attr.ints(dilations), ...geometry.padAttributes };
  return { layout, cin, kernel, strides, dilations, attributes, out: geometry.out };
}

/** One Conv node (W given in ONNX layout) plus the layer's activation. */
function emitConv(ctx: ConvertContext, x: KerasValue, win: Window, w: string, bias: Float32Array | undefined, cout: number, group: number, activationKey?: string): KerasValue {
  const inputs = [ctx.as(x, win.layout.perm), w];
  if (bias) inputs.push(ctx.graph.floatConst(ctx.hint('B'), [cout], bias));
  const kerasOut = win.layout.kerasShape(win.out, cout);
  const stored = permute(kerasOut, win.layout.perm);
  const attributes = group === 1 ? win.attributes : { ...win.attributes, group: attr.int(group) };
  const y = ctx.add('Conv', inputs, stored, attributes);
  return { name: activationKey ? applyActivation(ctx, y, stored, win.layout.perm, activationKey) : y, shape: kerasOut, perm: win.layout.perm };
}

const taps = (kernel: number[]) => kernel.reduce((a, b) => a * b, 1);

const conv =
  (spatialRank: number): Converter =>
  (ctx, [x]) => {
    ctx.cfg.requireDefault('kernel_constraint');
    const filters = ctx.cfg.positiveInt('filters');
    const win = convWindow(ctx, x!, spatialRank);
    const k = taps(win.kernel);
    const w = ctx.graph.floatConst(ctx.hint('W'), [filters, win.cin, ...win.kernel], convKernelToOnnx(ctx.weight('kernel', [...win.kernel, win.cin, filters]), k, win.cin, filters));
    const bias = ctx.cfg.bool('use_bias', true) ? ctx.weight('bias', [filters]) : undefined;
    return [emitConv(ctx, x!, win, w, bias, filters, 1, 'activation')];
  };

export const conv1d = conv(1);
export const conv2d = conv(2);

/**
 * depth_multiplier; TF.js's SeparableConv getConfig leaves it out (its saved models reload with 1 and
 * mismatched weights), so it is read from the depthwise kernel [k.., C, mult] when absent.
 */
function depthMultiplier(ctx: ConvertContext): number {
  return ctx.cfg.positiveInt('depth_multiplier', ctx.weightShape('depthwise_kernel')?.at(-1) ?? 1);
}

/** Depthwise step of DepthwiseConv2D / SeparableConv: a Conv with group = C, W [C*mult, 1, k..]. */
function depthwise(ctx: ConvertContext, x: KerasValue, win: Window, withBias: boolean, activationKey?: string): KerasValue {
  const mult = depthMultiplier(ctx);
  const cout = win.cin * mult;
  const dk = ctx.weight('depthwise_kernel', [...win.kernel, win.cin, mult]);
  const w = ctx.graph.floatConst(ctx.hint('W_depthwise'), [cout, 1, ...win.kernel], convKernelToOnnx(dk, taps(win.kernel), 1, cout));
  const bias = withBias && ctx.cfg.bool('use_bias', true) ? ctx.weight('bias', [cout]) : undefined;
  return emitConv(ctx, x, win, w, bias, cout, win.cin, activationKey);
}

export const depthwiseConv2d: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('depthwise_constraint');
  return [depthwise(ctx, x!, convWindow(ctx, x!, 2), true, 'activation')];
};

const separable =
  (spatialRank: number): Converter =>
  (ctx, [x]) => {
    const filters = ctx.cfg.positiveInt('filters');
    const win = convWindow(ctx, x!, spatialRank);
    const d = depthwise(ctx, x!, win, false);
    const cmid = win.cin * depthMultiplier(ctx);
    const ones = Array<number>(spatialRank).fill(1);
    const pw = ctx.weight('pointwise_kernel', [...ones, cmid, filters]);
    const w = ctx.graph.floatConst(ctx.hint('W_pointwise'), [filters, cmid, ...ones], convKernelToOnnx(pw, 1, cmid, filters));
    const bias = ctx.cfg.bool('use_bias', true) ? ctx.weight('bias', [filters]) : undefined;
    const pointwise: Window = { ...win, kernel: ones, attributes: { kernel_shape: attr.ints(ones), strides: attr.ints(ones), dilations: attr.ints(ones), pads: attr.ints([...ones, ...ones].map(() => 0)) }, out: d.shape.filter((_, a) => win.layout.spatialAxes.includes(a)), cin: cmid };
    return [emitConv(ctx, d, pointwise, w, bias, filters, 1, 'activation')];
  };

export const separableConv1d = separable(1);
export const separableConv2d = separable(2);
