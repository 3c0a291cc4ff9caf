// Merge layers -> ONNX Add/Mul/Max/Min/Mean (multidirectional broadcasting) and Concat(axis).
// Porting note: Keras merges inputs of lower rank by inserting axes at position 1 (so (N,C) times
// (N,T,C) scales every time step), while ONNX broadcasting aligns trailing axes; the lower-rank
// input is therefore unsqueezed explicitly, at the positions the working layout puts those axes.
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Dim } from '../graph.js';
import { identity, permute, storedAxis, type Perm } from '../layout.js';
import type { ConvertContext, Converter, KerasValue } from '../convert-context.js';

/** Brings every input to the rank and layout of the first highest-rank input. */
function alignInputs(ctx: ConvertContext, inputs: KerasValue[]): { names: string[]; shape: Dim[]; perm: Perm } {
  if (inputs.length < 2) throw new UnsupportedLayerError(`${ctx.cfg.where}: needs at least 2 inputs, got ${inputs.length}`);
  const lead = inputs.reduce((a, b) => (b.shape.length > a.shape.length ? b : a));
  const rank = lead.shape.length;
  const perm = lead.perm;
  const shape = [...lead.shape];
  const names = inputs.map((v) => {
    if (v.shape.length === rank) {
      v.shape.forEach((d, i) => {
        if (typeof d === 'number' && d !== 1) shape[i] = d;
      });
      return ctx.as(v, perm);
    }
    const base = ctx.as(v, identity(v.shape.length));
    const added = rank - v.shape.length;
    // Keras shape after expansion: [N, 1 x added, ...rest]; where do the new axes land when stored?
    const newAxes = Array.from({ length: added }, (_, i) => 1 + i);
    const keep = perm.filter((a) => !newAxes.includes(a));
    const keepsOrder = keep.every((a, i) => i === 0 || a > keep[i - 1]!);
    const expandedKeras: Dim[] = [v.shape[0]!, ...newAxes.map(() => 1), ...v.shape.slice(1)];
    if (!keepsOrder) {
      const u = ctx.add('Unsqueeze', [base, ctx.graph.int64Const(ctx.hint('axes'), newAxes)], expandedKeras);
      return ctx.as({ name: u, shape: expandedKeras, perm: identity(rank) }, perm);
    }
    const storedNew = newAxes.map((a) => perm.indexOf(a)).sort((a, b) => a - b);
    return ctx.add('Unsqueeze', [base, ctx.graph.int64Const(ctx.hint('axes'), storedNew)], permute(expandedKeras, perm));
  });
  return { names, shape, perm };
}

const elementwise =
  (op: string, variadic: boolean): Converter =>
  (ctx, inputs) => {
    const { names, shape, perm } = alignInputs(ctx, inputs);
    const stored = permute(shape, perm);
    if (variadic || names.length === 2) return [{ name: ctx.add(op, names, stored), shape, perm }];
    let acc = names[0]!;
    for (const n of names.slice(1)) acc = ctx.add(op, [acc, n], stored);
    return [{ name: acc, shape, perm }];
  };

export const add = elementwise('Add', false);
export const multiply = elementwise('Mul', false);
export const maximum = elementwise('Max', true);
export const minimum = elementwise('Min', true);
export const average = elementwise('Mean', true);

export const concatenate: Converter = (ctx, inputs) => {
  const rank = inputs[0]!.shape.length;
  const axisRaw = ctx.cfg.raw('axis') ?? -1;
  const valid = typeof axisRaw === 'number' && Number.isInteger(axisRaw) && axisRaw !== 0 && Math.abs(axisRaw) <= rank - 1;
  if (!valid) {
    ctx.cfg.fail('axis', axisRaw, `a non-batch axis in 1..${rank - 1} or -1..-${rank - 1}`);
  }
  const axis = (axisRaw as number) < 0 ? rank + (axisRaw as number) : (axisRaw as number);
  if (inputs.some((v) => v.shape.length !== rank)) ctx.cfg.fail('input ranks', inputs.map((v) => v.shape.length), 'inputs of equal rank');
  const perm = inputs[0]!.perm;
  const shape = [...inputs[0]!.shape];
  const sizes = inputs.map((v) => v.shape[axis]);
  shape[axis] = sizes.every((d) => typeof d === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : `${ctx.call.name}_concat`;
  const names = inputs.map((v) => ctx.as(v, perm));
  return [{ name: ctx.add('Concat', names, permute(shape, perm), { axis: attr.int(storedAxis(perm, axis)) }), shape, perm }];
};

/** Keras Subtract (exactly two inputs; TF.js has no Subtract layer, Keras-converted models do). */
export const subtract: Converter = (ctx, inputs) => {
  if (inputs.length !== 2) throw new UnsupportedLayerError(`${ctx.cfg.where}: needs exactly 2 inputs, got ${inputs.length}`);
  return elementwise('Sub', false)(ctx, inputs);
};

/**
 * Dot(axes, normalize) -> Einsum over the stored layouts (no transpose): a batched dot product that
 * contracts axis a of x with axis b of y; the output is x's other axes then y's, [N, 1] when nothing
 * else is left (as Keras/TF.js batchDot). normalize=true divides each input by its L2 norm along the
 * contracted axis first (TF.js l2Normalize: x / sqrt(max(sum(x^2), 1e-12))).
 */
export const dot: Converter = (ctx, inputs) => {
  if (inputs.length !== 2) throw new UnsupportedLayerError(`${ctx.cfg.where}: needs exactly 2 inputs, got ${inputs.length}`);
  const [x, y] = inputs as [KerasValue, KerasValue];
  const raw = ctx.cfg.raw('axes');
  const pair = Array.isArray(raw) ? raw : [raw, raw];
  const norm = (a: unknown, rank: number) => (typeof a === 'number' && Number.isInteger(a) ? (a < 0 ? rank + a : a) : NaN);
  const [ax, ay] = [norm(pair[0], x.shape.length), norm(pair[1], y.shape.length)];
  if (pair.length !== 2 || !(ax >= 1 && ax < x.shape.length) || !(ay >= 1 && ay < y.shape.length)) ctx.cfg.fail('axes', raw, 'one non-batch axis per input (an integer or [a, b])');
  if (x.shape.length > 3 || y.shape.length > 3) ctx.cfg.fail('input ranks', [x.shape.length, y.shape.length], 'rank 2 or 3 (as TF.js batchDot)');
  const dx = x.shape[ax];
  const dy = y.shape[ay];
  if (typeof dx === 'number' && typeof dy === 'number' && dx !== dy) throw new UnsupportedLayerError(`${ctx.cfg.where}: contracted sizes differ (${dx} vs ${dy})`);
  const names = ctx.cfg.bool('normalize', false) ? [l2Normalize(ctx, x, ax, 'x'), l2Normalize(ctx, y, ay, 'y')] : [x.name, y.name];
  // Letters: n batch, k contracted, then one per remaining axis of x (a, b, ...) and of y (p, q, ...).
  const letter = (v: KerasValue, axis: number, other: string) => (axis === 0 ? 'n' : axis === (v === x ? ax : ay) ? 'k' : other[axis - 1]!);
  const sub = (v: KerasValue, other: string) => v.perm.map((a) => letter(v, a, other)).join('');
  const keptX = identity(x.shape.length).filter((a) => a !== 0 && a !== ax);
  const keptY = identity(y.shape.length).filter((a) => a !== 0 && a !== ay);
  const outLetters = ['n', ...keptX.map((a) => 'abc'[a - 1]!), ...keptY.map((a) => 'pqr'[a - 1]!)].join('');
  const shape: Dim[] = ['N', ...keptX.map((a) => x.shape[a]!), ...keptY.map((a) => y.shape[a]!)];
  const equation = `${sub(x, 'abc')},${sub(y, 'pqr')}->${outLetters}`;
  const z = ctx.add('Einsum', names, shape.length === 1 ? ['N'] : shape, { equation: attr.string(equation) });
  if (shape.length > 1) return [{ name: z, shape, perm: identity(shape.length) }];
  const out: Dim[] = ['N', 1];
  return [{ name: ctx.add('Unsqueeze', [z, ctx.graph.int64Const(ctx.hint('axes'), [1])], out), shape: out, perm: identity(2) }];
};

function l2Normalize(ctx: ConvertContext, v: KerasValue, axis: number, which: string): string {
  const stored = permute(v.shape, v.perm);
  const a = storedAxis(v.perm, axis);
  const kept = stored.map((d, i) => (i === a ? 1 : d));
  const sum = ctx.add('ReduceSumSquare', [v.name], kept, { axes: attr.ints([a]), keepdims: attr.int(1) }, `${which}_sum_sq`);
  const floor = ctx.add('Max', [sum, ctx.graph.floatConst(ctx.hint(`${which}_eps`), [], [1e-12])], kept, {}, `${which}_floor`);
  return ctx.add('Div', [v.name, ctx.add('Sqrt', [floor], kept, {}, `${which}_norm`)], stored, {}, `${which}_normalized`);
}
