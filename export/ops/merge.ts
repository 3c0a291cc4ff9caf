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
