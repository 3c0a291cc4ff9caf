// Reshaping layers: Permute (no node: only the recorded layout changes), RepeatVector -> Unsqueeze +
// Expand, ZeroPadding1D/2D -> Pad, Cropping1D/2D -> Slice, UpSampling1D/2D -> Resize.
// Porting notes: padding, cropping and upsampling act on the spatial axes of data_format and run in
// whatever layout the input is stored (their per-axis amounts are permuted, no transpose).
// TF.js UpSampling2D resizes with align_corners=false, half_pixel_centers=false: ONNX Resize with
// coordinate_transformation_mode "asymmetric" (nearest_mode "floor" for nearest); Python Keras's
// bilinear differs (half-pixel), but TF.js is what runs a converted model, so we follow it.
// ZeroPadding1D, Cropping1D and UpSampling1D are Keras layers TF.js lacks (Keras-converted models).
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Attr, type Dim } from '../graph.js';
import { identity, permute } from '../layout.js';
import type { Converter, KerasValue } from '../convert-context.js';
import { windowLayout } from './window.js';

export const permuteLayer: Converter = (ctx, [x]) => {
  const rank = x!.shape.length;
  const dims = ctx.cfg.raw('dims');
  const valid = Array.isArray(dims) && dims.length === rank - 1 && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1);
  if (!valid) ctx.cfg.fail('dims', dims, `a permutation of 1..${rank - 1}`);
  const from = [0, ...(dims as number[])]; // output Keras axis i is input Keras axis from[i]
  return [{ ...x!, shape: from.map((a) => x!.shape[a]!), perm: x!.perm.map((a) => from.indexOf(a)) }];
};

export const repeatVector: Converter = (ctx, [x]) => {
  const n = ctx.cfg.positiveInt('n');
  if (x!.shape.length !== 2) ctx.cfg.fail('input rank', x!.shape.length, '2 ([N, features])');
  const shape: Dim[] = ['N', n, x!.shape[1]!];
  const g = ctx.graph;
  const u = ctx.add('Unsqueeze', [ctx.as(x!, identity(2)), g.int64Const(ctx.hint('axes'), [1])], ['N', 1, x!.shape[1]!]);
  return [{ name: ctx.add('Expand', [u, g.int64Const(ctx.hint('repeats'), [1, n, 1])], shape), shape, perm: identity(3) }];
};

const spatialRankOf = (className: string) => (className.endsWith('1D') ? 1 : 2);

export const zeroPadding: Converter = (ctx, [x]) => {
  const spatialRank = spatialRankOf(ctx.call.className);
  const layout = spatialRank === 1 ? windowLayoutOf1d(ctx, x!) : windowLayout(ctx, x!, 2);
  const amounts = ctx.cfg.pairs('padding', spatialRank);
  const rank = x!.shape.length;
  const begin = Array<number>(rank).fill(0);
  const end = Array<number>(rank).fill(0);
  layout.spatialAxes.forEach((a, i) => ([begin[a], end[a]] = amounts[i]!));
  const shape = x!.shape.map((d, a) => (typeof d === 'number' ? d + begin[a]! + end[a]! : begin[a]! + end[a]! === 0 ? d : `${ctx.call.name}_d${a}`));
  const pads = ctx.graph.int64Const(ctx.hint('pads'), [...permute(begin, x!.perm), ...permute(end, x!.perm)]);
  return [{ ...x!, name: ctx.add('Pad', [x!.name, pads], permute(shape, x!.perm)), shape }];
};

export const cropping: Converter = (ctx, [x]) => {
  const spatialRank = spatialRankOf(ctx.call.className);
  const layout = spatialRank === 1 ? windowLayoutOf1d(ctx, x!) : windowLayout(ctx, x!, 2);
  const amounts = ctx.cfg.pairs('cropping', spatialRank);
  const shape = [...x!.shape];
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  layout.spatialAxes.forEach((a, i) => {
    const [b, e] = amounts[i]!;
    const d = x!.shape[a]!;
    if (typeof d === 'number' && b + e >= d) throw new UnsupportedLayerError(`${ctx.cfg.where}: cropping ${b} + ${e} leaves nothing of axis ${a} (size ${d})`);
    shape[a] = typeof d === 'number' ? d - b - e : b + e === 0 ? d : `${ctx.call.name}_d${a}`;
    axes.push(x!.perm.indexOf(a));
    starts.push(b);
    ends.push(e === 0 ? Number.MAX_SAFE_INTEGER : -e);
  });
  const g = ctx.graph;
  const y = ctx.add('Slice', [x!.name, g.int64Const(ctx.hint('starts'), starts), g.int64Const(ctx.hint('ends'), ends), g.int64Const(ctx.hint('axes'), axes)], permute(shape, x!.perm));
  return [{ ...x!, name: y, shape }];
};

export const upSampling: Converter = (ctx, [x]) => {
  const spatialRank = spatialRankOf(ctx.call.className);
  const layout = spatialRank === 1 ? windowLayoutOf1d(ctx, x!) : windowLayout(ctx, x!, 2);
  const sizes = spatialRank === 1 ? [ctx.cfg.positiveInt('size', 2)] : ctx.cfg.sizes('size', 2, [2, 2]);
  const mode = spatialRank === 1 ? 'nearest' : ctx.cfg.oneOf('interpolation', ['nearest', 'bilinear'] as const, 'nearest');
  const scales = x!.shape.map(() => 1);
  const shape = [...x!.shape];
  layout.spatialAxes.forEach((a, i) => {
    scales[a] = sizes[i]!;
    const d = x!.shape[a]!;
    shape[a] = typeof d === 'number' ? d * sizes[i]! : `${ctx.call.name}_d${a}`;
  });
  const attributes: Record<string, Attr> = mode === 'nearest'
    ? { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }
    : { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('asymmetric') };
  const scaleConst = ctx.graph.floatConst(ctx.hint('scales'), [scales.length], permute(scales, x!.perm));
  return [{ ...x!, name: ctx.add('Resize', [x!.name, '', scaleConst], permute(shape, x!.perm), attributes), shape }];
};

/** 1-D layers with no data_format in Keras: time is axis 1. */
function windowLayoutOf1d(ctx: Parameters<Converter>[0], x: KerasValue): { spatialAxes: number[] } {
  if (x.shape.length !== 3) ctx.cfg.fail('input rank', x.shape.length, '3 ([N, T, C])');
  return { spatialAxes: [1] };
}
