// Normalisation layers, inference mode only.
// BatchNormalization -> ONNX BatchNormalization(X[N,C,...], scale, B, input_mean, input_var; epsilon):
// ONNX normalises axis 1, so the input is taken in a layout whose stored axis 1 is the Keras axis
// (the current layout if it already is: a Conv output is); center=false / scale=false mean beta 0 /
// gamma 1; training_mode=0 (moving statistics). passes/fold-batch-norm.ts folds it into a preceding
// Conv/Gemm when that is exact.
// LayerNormalization -> ONNX LayerNormalization(X, Scale, B; axis, epsilon) (opset 17; composed from
// ReduceMean/Sub/Mul/Sqrt/Div below it): ONNX normalises the trailing axes from `axis`, so the Keras
// axes are laid out last, in Keras order (gamma's order). Keras defaults: axis -1, epsilon 1e-3.
import { attr, type Dim } from '../graph.js';
import { CHANNELS_FIRST, identity, permute, type Perm } from '../layout.js';
import type { Converter } from '../convert-context.js';

/** The Keras axes of a normalisation layer, non-negative, sorted, unique; the batch axis is refused. */
function kerasAxes(ctx: Parameters<Converter>[0], rank: number, fallback: number): number[] {
  const raw = ctx.cfg.raw('axis') ?? fallback;
  const list = Array.isArray(raw) ? raw : [raw];
  const axes = list.map((a) => (typeof a === 'number' && Number.isInteger(a) ? (a < 0 ? rank + a : a) : NaN));
  if (axes.length === 0 || axes.some((a) => !(a >= 1 && a < rank)) || new Set(axes).size !== axes.length) {
    ctx.cfg.fail('axis', raw, `non-batch axes of the rank-${rank} input: 1..${rank - 1} or -1..-${rank - 1}`);
  }
  return axes.sort((a, b) => a - b);
}

export const batchNormalization: Converter = (ctx, [x]) => {
  const cfg = ctx.cfg;
  const rank = x!.shape.length;
  const axes = kerasAxes(ctx, rank, -1);
  if (axes.length !== 1) cfg.fail('axis', cfg.raw('axis'), 'one axis');
  const axis = axes[0]!;
  const c = x!.shape[axis];
  if (typeof c !== 'number') return cfg.fail('channels', c, 'a static size');
  const channels: number = c;
  const epsilon = cfg.number('epsilon', 1e-3);
  const scale = cfg.bool('scale', true) ? ctx.weight('gamma', [channels]) : new Float32Array(channels).fill(1);
  const center = cfg.bool('center', true) ? ctx.weight('beta', [channels]) : new Float32Array(channels);
  const g = ctx.graph;
  let perm: Perm;
  if (x!.perm[1] === axis) perm = x!.perm;
  else if (rank === 3 && axis === 2) perm = CHANNELS_FIRST;
  else perm = [0, axis, ...identity(rank).filter((a) => a !== 0 && a !== axis)];
  const inputs = [
    ctx.as(x!, perm),
    g.floatConst(ctx.hint('gamma'), [channels], scale),
    g.floatConst(ctx.hint('beta'), [channels], center),
    g.floatConst(ctx.hint('moving_mean'), [channels], ctx.weight('moving_mean', [channels])),
    g.floatConst(ctx.hint('moving_variance'), [channels], ctx.weight('moving_variance', [channels])),
  ];
  const y = ctx.add('BatchNormalization', inputs, permute(x!.shape, perm), { epsilon: attr.float(epsilon) });
  return [{ name: y, shape: x!.shape, perm }];
};

export const layerNormalization: Converter = (ctx, [x]) => {
  const cfg = ctx.cfg;
  const rank = x!.shape.length;
  const axes = kerasAxes(ctx, rank, -1);
  const dims = axes.map((a) => x!.shape[a]);
  if (!dims.every((d): d is number => typeof d === 'number')) return cfg.fail('normalised axes', dims, 'static sizes');
  const size = dims.reduce((a, b) => a * b, 1);
  const epsilon = cfg.number('epsilon', 1e-3);
  const gamma = cfg.bool('scale', true) ? ctx.weight('gamma', dims) : undefined;
  const beta = cfg.bool('center', true) ? ctx.weight('beta', dims) : undefined;
  // Keep the current order of the other axes; the normalised ones go last, in Keras order.
  const tail = x!.perm.slice(rank - axes.length);
  const perm = tail.every((a, i) => a === axes[i]) ? x!.perm : [...x!.perm.filter((a) => !axes.includes(a)), ...axes];
  const stored = permute(x!.shape, perm);
  const from = rank - axes.length;
  const g = ctx.graph;
  const xs = ctx.as(x!, perm);
  const scale = g.floatConst(ctx.hint('gamma'), dims, gamma ?? new Float32Array(size).fill(1));
  const shift = g.floatConst(ctx.hint('beta'), dims, beta ?? new Float32Array(size));
  if ((ctx.options.opset ?? 17) >= 17) {
    return [{ name: ctx.add('LayerNormalization', [xs, scale, shift], stored, { axis: attr.int(from), epsilon: attr.float(epsilon) }), shape: x!.shape, perm }];
  }
  const reduceAxes = { axes: attr.ints(axes.map((_, i) => from + i)), keepdims: attr.int(1) };
  const keptShape: Dim[] = stored.map((d, i) => (i >= from ? 1 : d));
  const mean = ctx.add('ReduceMean', [xs], keptShape, reduceAxes, 'mean');
  const centred = ctx.add('Sub', [xs, mean], stored, {}, 'centred');
  const variance = ctx.add('ReduceMean', [ctx.add('Mul', [centred, centred], stored, {}, 'squared')], keptShape, reduceAxes, 'variance');
  const std = ctx.add('Sqrt', [ctx.add('Add', [variance, g.floatConst(ctx.hint('epsilon'), [], [epsilon])], keptShape, {}, 'variance_eps')], keptShape, {}, 'std');
  const normalised = ctx.add('Div', [centred, std], stored, {}, 'normalised');
  const y = ctx.add('Add', [ctx.add('Mul', [normalised, scale], stored, {}, 'scaled'), shift], stored, {}, 'shifted');
  return [{ name: y, shape: x!.shape, perm }];
};
