// Wrapper layers. Bidirectional(GRU | LSTM | SimpleRNN) -> ONE ONNX node with direction
// "bidirectional" (W/R/B stacked forward, backward; Y[T,2,N,H], Y_h[2,N,H]); merge_mode concat ->
// Transpose + Reshape (forward features first, as Keras), sum / ave / mul -> ReduceSum / ReduceMean /
// ReduceProd over the direction axis, None -> two outputs.
// Porting notes: Keras runs the backward layer with go_backwards and, for return_sequences, reverses
// its outputs back into input order: exactly ONNX's reverse direction, so no Slice is needed. Weights
// live under "forward_*" / "backward_*" parts of the Bidirectional's name.
// TimeDistributed(layer) -> the layer on the merged (N*T) batch: Dense already acts on the last axis
// of any rank (no reshape); other layers run on Reshape [N*T, ...] and are reshaped back to [N, T, ...].
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Dim } from '../graph.js';
import { identity, TIME_MAJOR } from '../layout.js';
import type { ConvertContext, Converter, KerasValue } from '../convert-context.js';
import { LayerConfig } from '../layer-config.js';
import { readCell } from './recurrent-cells.js';
import { emitRecurrent, recurrentOptions, sequenceFeatures } from './recurrent.js';

const RECURRENT = new Set(['GRU', 'LSTM', 'SimpleRNN']);

/** The wrapped layer's {class_name, config}. */
function wrapped(ctx: ConvertContext, key = 'layer'): { className: string; config: Record<string, unknown> } {
  const l = ctx.cfg.raw(key) as { class_name?: unknown; config?: unknown } | undefined;
  if (!l || typeof l.class_name !== 'string' || typeof l.config !== 'object' || l.config === null) {
    ctx.cfg.fail(key, l, 'a {class_name, config} layer');
  }
  return { className: l.class_name, config: l.config as Record<string, unknown> };
}

export const bidirectional: Converter = (ctx, [x, ...initial]) => {
  const inner = wrapped(ctx);
  if (inner.className === 'ResetAfterGRU') throw new UnsupportedLayerError(`${ctx.cfg.where}: wraps ResetAfterGRU, which has no go_backwards (train/gru.ts): TF.js runs both copies forward; wrap a GRU (reset_after true) instead`);
  if (!RECURRENT.has(inner.className)) throw new UnsupportedLayerError(`${ctx.cfg.where}: wraps ${inner.className}; supported: ${[...RECURRENT].join(', ')}`);
  const backward = ctx.cfg.raw('backward_layer');
  if (backward !== undefined && backward !== null) ctx.cfg.fail('backward_layer', '(a separate layer)', 'none (the backward layer mirrors the forward one)');
  const mode = ctx.cfg.raw('merge_mode') === null ? null : ctx.cfg.oneOf('merge_mode', ['concat', 'sum', 'ave', 'mul'] as const, 'concat');
  const sub: ConvertContext = { ...ctx, cfg: new LayerConfig({ ...ctx.call, className: inner.className, config: inner.config }) };
  const { returnSequences, goBackwards, returnState } = recurrentOptions(sub);
  if (goBackwards) sub.cfg.fail('go_backwards', true, 'false inside Bidirectional');
  const inDim = sequenceFeatures(ctx, x!);
  const cells = ['forward_', 'backward_'].map((scope) => readCell(sub, inner.className, inDim, (key, shape, optional) => ctx.scopedWeight(scope, key, shape, optional)));
  const h = cells[0]!.units;
  const states = cells[0]!.states;
  if (initial.length !== 0 && initial.length !== 2 * states) throw new UnsupportedLayerError(`${ctx.cfg.where}: got ${initial.length} initial states; a bidirectional ${inner.className} takes ${2 * states}`);
  const r = emitRecurrent(ctx, x!, cells, 'bidirectional', initial, { y: returnSequences, yh: !returnSequences || returnState, yc: returnState });
  const g = ctx.graph;
  // The merged value: from Y [T, 2, N, H] (sequences, stays time-major) or Y_h [2, N, H].
  const source = returnSequences ? r.y! : r.yh!;
  const dirAxis = returnSequences ? 1 : 0;
  const lead: Dim[] = returnSequences ? [r.steps, 'N'] : ['N'];
  const perm = returnSequences ? TIME_MAJOR : identity(2);
  const kerasOf = (units: number): Dim[] => (returnSequences ? ['N', r.steps, units] : ['N', units]);
  const pick = (v: string, k: number, shape: Dim[]) => ctx.add('Gather', [v, g.addInitializer(ctx.hint(`direction${k}`), [], BigInt64Array.of(BigInt(k)))], shape, { axis: attr.int(0) }, `direction${k}`);
  let outputs: KerasValue[];
  if (mode === 'concat') {
    const t = ctx.add('Transpose', [source], [...lead, 2, h], { perm: attr.ints(returnSequences ? [0, 2, 1, 3] : [1, 0, 2]) }, 'directions_last');
    const merged = ctx.add('Reshape', [t, g.int64Const(ctx.hint('concat_shape'), returnSequences ? [0, 0, -1] : [0, -1])], [...lead, 2 * h], {}, 'concat');
    outputs = [{ name: merged, shape: kerasOf(2 * h), perm }];
  } else if (mode !== null) {
    const op = { sum: 'ReduceSum', ave: 'ReduceMean', mul: 'ReduceProd' }[mode];
    // ReduceSum takes its axes as an input from opset 13; the others as an attribute until opset 18.
    const y = op === 'ReduceSum'
      ? ctx.add(op, [source, g.int64Const(ctx.hint('direction_axis'), [dirAxis])], [...lead, h], { keepdims: attr.int(0) }, mode)
      : ctx.add(op, [source], [...lead, h], { axes: attr.ints([dirAxis]), keepdims: attr.int(0) }, mode);
    outputs = [{ name: y, shape: kerasOf(h), perm }];
  } else {
    const sequence = (k: number) => (returnSequences ? ctx.add('Squeeze', [ctx.add('Slice', [source, g.int64Const(ctx.hint(`d${k}_start`), [k]), g.int64Const(ctx.hint(`d${k}_end`), [k + 1]), g.int64Const(ctx.hint('d_axis'), [1])], [r.steps, 1, 'N', h], {}, `d${k}`), g.int64Const(ctx.hint('d_squeeze'), [1])], [r.steps, 'N', h], {}, `direction${k}`) : pick(source, k, ['N', h]));
    outputs = [0, 1].map((k) => ({ name: sequence(k), shape: kerasOf(h), perm }));
  }
  if (!returnState) return outputs;
  // Keras: [output(s), forward states..., backward states...].
  const stateOf = (v: string, k: number): KerasValue => ({ name: pick(v, k, ['N', h]), shape: ['N', h], perm: identity(2) });
  const perDirection = [0, 1].flatMap((k) => (states === 2 ? [stateOf(r.yh!, k), stateOf(r.yc!, k)] : [stateOf(r.yh!, k)]));
  return [...outputs, ...perDirection];
};

export const timeDistributed: Converter = (ctx, [x]) => {
  const inner = wrapped(ctx);
  if (x!.shape.length < 3) ctx.cfg.fail('input rank', x!.shape.length, 'at least 3 ([N, T, ...])');
  if (inner.className === 'Dense') return ctx.convertInner('Dense', inner.config, [x!]);
  const [, steps, ...rest] = x!.shape;
  if (typeof steps !== 'number' || !rest.every((d): d is number => typeof d === 'number')) {
    throw new UnsupportedLayerError(`${ctx.cfg.where}: TimeDistributed(${inner.className}) needs static sizes after the batch, got [${x!.shape}]`);
  }
  const g = ctx.graph;
  const merged: KerasValue = { name: ctx.add('Reshape', [ctx.as(x!, identity(x!.shape.length)), g.int64Const(ctx.hint('merge_shape'), [-1, ...rest])], ['N', ...rest], {}, 'merge_time'), shape: ['N', ...rest], perm: identity(rest.length + 1) };
  const outs = ctx.convertInner(inner.className, inner.config, [merged]);
  if (outs.length !== 1) throw new UnsupportedLayerError(`${ctx.cfg.where}: TimeDistributed(${inner.className}) gives ${outs.length} outputs; supported: one`);
  const y = outs[0]!;
  // Static input sizes give static output sizes.
  const size = y.shape.slice(1) as number[];
  const shape: Dim[] = ['N', steps, ...size];
  const back = ctx.add('Reshape', [ctx.as(y, identity(y.shape.length)), g.int64Const(ctx.hint('split_shape'), [-1, steps, ...size])], shape, {}, 'split_time');
  return [{ name: back, shape, perm: identity(shape.length) }];
};
