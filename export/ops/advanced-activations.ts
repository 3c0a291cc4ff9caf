// Activation layers (Keras "advanced activations"): ReLU -> Relu / Clip(0, max_value);
// LeakyReLU -> LeakyRelu(alpha); PReLU -> PRelu(X, slope); ELU -> Elu(alpha);
// ThresholdedReLU -> ThresholdedRelu(alpha = theta); Softmax -> Softmax(axis).
// Porting notes: all act elementwise, so they run in whatever layout the input is stored (no
// transpose); PReLU's learned alpha (the input shape without the batch, 1 on shared_axes) is permuted
// at export time into the stored layout, where PRelu broadcasts it; Softmax's axis is mapped to its
// stored position. Keras defaults: LeakyReLU alpha 0.3, ELU alpha 1, ThresholdedReLU theta 1.
// ReLU's Keras-only negative_slope and threshold are refused: TF.js cannot run them, so no export of
// them could be checked against it.
import { attr, type Dim } from '../graph.js';
import { permute, storedAxis } from '../layout.js';
import type { Converter, KerasValue } from '../convert-context.js';

const same = (x: KerasValue, name: string): KerasValue[] => [{ ...x, name }];
const stored = (x: KerasValue) => permute(x.shape, x.perm);

export const relu: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('negative_slope', 0);
  ctx.cfg.requireDefault('threshold', 0);
  const max = ctx.cfg.raw('max_value');
  if (max === null || max === undefined) return same(x!, ctx.add('Relu', [x!.name], stored(x!)));
  const cap = ctx.cfg.number('max_value');
  const bounds = [ctx.graph.floatConst(ctx.hint('min'), [], [0]), ctx.graph.floatConst(ctx.hint('max'), [], [cap])];
  return same(x!, ctx.add('Clip', [x!.name, ...bounds], stored(x!)));
};

export const leakyRelu: Converter = (ctx, [x]) => same(x!, ctx.add('LeakyRelu', [x!.name], stored(x!), { alpha: attr.float(ctx.cfg.number('alpha', 0.3)) }));

export const elu: Converter = (ctx, [x]) => same(x!, ctx.add('Elu', [x!.name], stored(x!), { alpha: attr.float(ctx.cfg.number('alpha', 1)) }));

export const thresholdedRelu: Converter = (ctx, [x]) => same(x!, ctx.add('ThresholdedRelu', [x!.name], stored(x!), { alpha: attr.float(ctx.cfg.number('theta', 1)) }));

export const softmax: Converter = (ctx, [x]) => {
  let axis = ctx.cfg.raw('axis') ?? -1;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  const rank = x!.shape.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis === 0 || axis >= rank || axis < -rank + 1) ctx.cfg.fail('axis', ctx.cfg.raw('axis'), `one non-batch axis of the rank-${rank} input`);
  return same(x!, ctx.add('Softmax', [x!.name], stored(x!), { axis: attr.int(storedAxis(x!.perm, axis as number)) }));
};

/** Constant data of Keras shape `shape` rearranged into layout `perm` (stored axis i = Keras axis perm[i]). */
export function permuteConstant(data: Float32Array, shape: number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((a) => shape[a]!);
  const out = new Float32Array(data.length);
  const idx = Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i]! * strides[perm[i]!]!;
    out[o] = data[src]!;
    for (let i = rank - 1; i >= 0 && ++idx[i]! === outShape[i]; i--) idx[i] = 0;
  }
  return out;
}

export const prelu: Converter = (ctx, [x]) => {
  ctx.cfg.requireDefault('alpha_constraint');
  const rank = x!.shape.length;
  const raw = ctx.cfg.raw('shared_axes');
  const shared = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (shared.some((a) => typeof a !== 'number' || !Number.isInteger(a) || a < 1 || a >= rank)) ctx.cfg.fail('shared_axes', raw, `axes 1..${rank - 1}`);
  const alphaShape = x!.shape.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
  if (!alphaShape.every((d): d is number => typeof d === 'number')) return ctx.cfg.fail('input shape', x!.shape, 'static sizes on the axes that are not shared');
  const alpha = ctx.weight('alpha', alphaShape);
  const kerasSlope: number[] = [1, ...alphaShape];
  const slope = ctx.graph.floatConst(ctx.hint('slope'), permute(kerasSlope, x!.perm), permuteConstant(alpha, kerasSlope, x!.perm));
  const shape: Dim[] = stored(x!);
  return same(x!, ctx.add('PRelu', [x!.name, slope], shape));
};
