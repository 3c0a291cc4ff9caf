// GRU, LSTM, SimpleRNN (and our ResetAfterGRU) -> one native ONNX GRU / LSTM / RNN node each
// (X[T,N,I], W[D,G*H,I], R[D,G*H,H], B[D,2*G*H], sequence_lens, initial_h, initial_c) -> Y[T,D,N,H],
// Y_h[D,N,H], Y_c[D,N,H]: no Loop, no Scan. Weights and activations per class: recurrent-cells.ts.
// Porting notes: ONNX wants time-major input, so X is taken in (T,N,C) layout and a return_sequences
// output stays time-major until a consumer needs otherwise. go_backwards == direction "reverse", but
// Keras returns that sequence in processing order (last step first), so it is reversed back with a
// Slice(step -1); return_state adds the final states; initial_state inputs become initial_h/initial_c.
// An Embedding mask_zero mask (masked steps carry the state on, in TF.js and Keras) is exact for the
// last output: the unmasked steps are moved to the front, in order (TopK over position keys), and
// ONNX runs only those (sequence_lens); with return_sequences the masked steps' outputs would differ,
// so that is refused.
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Attr, type Dim } from '../graph.js';
import { identity, TIME_MAJOR } from '../layout.js';
import type { ConvertContext, Converter, KerasValue } from '../convert-context.js';
import { readCell, type RnnCell } from './recurrent-cells.js';

export type Direction = 'forward' | 'reverse' | 'bidirectional';

export interface RecurrentOutputs {
  /** Y [T, D, N, H] when asked for. */
  y?: string;
  /** Y_h [D, N, H] when asked for. */
  yh?: string;
  /** Y_c [D, N, H] (LSTM) when asked for. */
  yc?: string;
  steps: Dim;
}

/** Common options of every recurrent layer; refuses the ones with no inference meaning we can honour. */
export function recurrentOptions(ctx: ConvertContext) {
  const cfg = ctx.cfg;
  if (cfg.bool('stateful', false)) cfg.fail('stateful', true, 'false (export the model without carried state)');
  cfg.requireDefault('time_major', false);
  return { returnSequences: cfg.bool('return_sequences', false), goBackwards: cfg.bool('go_backwards', false), returnState: cfg.bool('return_state', false) };
}

/** The input's feature size, checking the [N, T, features] shape. */
export function sequenceFeatures(ctx: ConvertContext, x: KerasValue): number {
  const inDim = x.shape[2];
  if (x.shape.length !== 3 || typeof inDim !== 'number') throw new UnsupportedLayerError(`${ctx.cfg.where}: input [${x.shape}] must be [N, T, features] with static features`);
  return inDim;
}

/** Moves each sample's unmasked steps to the front, in order; returns the compacted x [N,T,C] and the lengths [N]. */
function compactMasked(ctx: ConvertContext, x: KerasValue): { x: KerasValue; lengths: string } {
  const g = ctx.graph;
  const ids = x.maskIds!;
  const [, steps, features] = x.shape;
  const keep = ctx.add('Cast', [ctx.add('Not', [ctx.add('Equal', [ids, g.addInitializer(ctx.hint('mask_zero'), [], Int32Array.of(0))], ['N', steps!], {}, 'is_pad')], ['N', steps!], {}, 'is_token')], ['N', steps!], { to: attr.int(7) }, 'keep');
  const t = ctx.add('Gather', [ctx.add('Shape', [ids], [2], {}, 'ids_shape'), g.int64Const(ctx.hint('time_axis'), [1])], [1], { axis: attr.int(0) }, 'steps');
  const positions = ctx.add('Range', [g.addInitializer(ctx.hint('zero'), [], BigInt64Array.of(0n)), ctx.add('Squeeze', [t], [], {}, 'steps_scalar'), g.addInitializer(ctx.hint('one'), [], BigInt64Array.of(1n))], [steps!], {}, 'positions');
  // key = keep * 2^30 - position: kept steps first, each group in time order (keys are distinct).
  const key = ctx.add('Sub', [ctx.add('Mul', [keep, g.addInitializer(ctx.hint('group'), [], BigInt64Array.of(1n << 30n))], ['N', steps!], {}, 'group_key'), positions], ['N', steps!], {}, 'order_key');
  const [, order] = g.addMulti('TopK', [key, t], [['N', steps!], ['N', steps!]], { axis: attr.int(1), largest: attr.int(1), sorted: attr.int(1) }, ctx.hint('order'), ctx.doc);
  const index = ctx.add('Expand', [ctx.add('Unsqueeze', [order!, g.int64Const(ctx.hint('feature_axis'), [2])], ['N', steps!, 1], {}, 'order_3d'), ctx.add('Shape', [ctx.as(x, identity(3))], [3], {}, 'x_shape')], x.shape, {}, 'order_nt');
  const compacted = ctx.add('GatherElements', [ctx.as(x, identity(3)), index], ['N', steps!, features!], { axis: attr.int(1) }, 'compacted');
  const lengths = ctx.add('Cast', [ctx.add('ReduceSum', [keep, g.int64Const(ctx.hint('count_axes'), [1])], ['N'], { keepdims: attr.int(0) }, 'token_count')], ['N'], { to: attr.int(6) }, 'lengths');
  return { x: { name: compacted, shape: x.shape, perm: identity(3) }, lengths };
}

/** One ONNX GRU/LSTM/RNN node over x for 1 or 2 (bidirectional) cells. */
export function emitRecurrent(ctx: ConvertContext, x: KerasValue, cells: RnnCell[], direction: Direction, initial: KerasValue[], want: { y: boolean; yh: boolean; yc: boolean }): RecurrentOutputs {
  const g = ctx.graph;
  const [cell] = cells as [RnnCell];
  const h = cell.units;
  const d = cells.length;
  const inDim = cell.w.length / (cell.gates * h);
  let input = x;
  let lengths = '';
  if (x.maskIds !== undefined) {
    if (want.y) throw new UnsupportedLayerError(`${ctx.cfg.where}: return_sequences on an Embedding mask_zero mask is not supported (masked steps' outputs cannot be reproduced by a native ONNX node); export without mask_zero or with return_sequences false`);
    ({ x: input, lengths } = compactMasked(ctx, x));
  }
  const concat = (part: (c: RnnCell) => Float32Array) => {
    if (cells.length === 1) return part(cell);
    const out = new Float32Array(cells.reduce((n, c) => n + part(c).length, 0));
    cells.reduce((at, c) => (out.set(part(c), at), at + part(c).length), 0);
    return out;
  };
  const inputs = [
    ctx.as(input, TIME_MAJOR),
    g.floatConst(ctx.hint('W'), [d, cell.gates * h, inDim], concat((c) => c.w)),
    g.floatConst(ctx.hint('R'), [d, cell.gates * h, h], concat((c) => c.r)),
    g.floatConst(ctx.hint('B'), [d, 2 * cell.gates * h], concat((c) => c.b)),
  ];
  if (lengths || initial.length > 0) inputs.push(lengths);
  if (initial.length > 0) {
    // Keras lists states per direction ([h, c] forward, then backward); ONNX wants each state [D, N, H].
    for (let s = 0; s < cell.states; s++) {
      const perDirection = cells.map((_, k) => ctx.add('Unsqueeze', [ctx.as(initial[k * cell.states + s]!, identity(2)), g.int64Const(ctx.hint('state_axes'), [0])], [1, 'N', h], {}, 'initial_state'));
      inputs.push(d === 1 ? perDirection[0]! : ctx.add('Concat', perDirection, [d, 'N', h], { axis: attr.int(0) }, 'initial_states'));
    }
  }
  const activations = cells.flatMap((c) => c.activations);
  const attributes: Record<string, Attr> = { hidden_size: attr.int(h), activations: attr.strings(activations.map((a) => a.op)), ...cell.attributes };
  // Alphas/betas are consumed in activation order by the activations that take them.
  const alphas = activations.filter((a) => a.alpha !== undefined).map((a) => a.alpha!);
  const betas = activations.filter((a) => a.beta !== undefined).map((a) => a.beta!);
  if (alphas.length > 0) attributes.activation_alpha = attr.floats(alphas);
  if (betas.length > 0) attributes.activation_beta = attr.floats(betas);
  if (direction !== 'forward') attributes.direction = attr.string(direction);
  const steps = x.shape[1]!;
  const shapes: (Dim[] | null)[] = [want.y ? [steps, d, 'N', h] : null, want.yh ? [d, 'N', h] : null];
  if (cell.op === 'LSTM' && want.yc) shapes.push([d, 'N', h]);
  const [y, yh, yc] = g.addMulti(cell.op, inputs, shapes, attributes, ctx.hint(cell.op), ctx.doc);
  return { y: y || undefined, yh: yh || undefined, yc: yc || undefined, steps };
}

/** [1, N, H] -> [N, H]. */
function squeezeDirection(ctx: ConvertContext, v: string, h: number): KerasValue {
  return { name: ctx.add('Squeeze', [v, ctx.graph.int64Const(ctx.hint('axes'), [0])], ['N', h]), shape: ['N', h], perm: identity(2) };
}

/** Keras's processing-order sequence of a go_backwards layer: time reversed. */
export function reverseTime(ctx: ConvertContext, v: string, shape: Dim[]): string {
  const g = ctx.graph;
  return ctx.add('Slice', [v, g.int64Const(ctx.hint('reverse_starts'), [-1]), g.int64Const(ctx.hint('reverse_ends'), [-Number.MAX_SAFE_INTEGER]), g.int64Const(ctx.hint('reverse_axes'), [0]), g.int64Const(ctx.hint('reverse_steps'), [-1])], shape, {}, 'reverse_time');
}

/**
 * Our ResetAfterGRU (train/gru.ts) is a plain TF.js layer with units, activations, return_sequences
 * and use_bias only: TF.js ignores any go_backwards, return_state or initial state given to it (and so
 * runs a Bidirectional's backward copy forward), so an export could not match TF.js.
 */
export function refuseUnlessPlain(ctx: ConvertContext, goBackwards: boolean, returnState: boolean, initialStates: number): void {
  const why = 'ResetAfterGRU (train/gru.ts) has no such option, so TF.js ignores it; use a GRU (reset_after true) layer for it';
  if (goBackwards) ctx.cfg.fail('go_backwards', true, `false: ${why}`);
  if (returnState) ctx.cfg.fail('return_state', true, `false: ${why}`);
  if (initialStates > 0) ctx.cfg.fail('initial_state', `${initialStates} tensors`, `none: ${why}`);
}

const recurrent =
  (className: string): Converter =>
  (ctx, [x, ...initial]) => {
    const { returnSequences, goBackwards, returnState } = recurrentOptions(ctx);
    if (className === 'ResetAfterGRU') refuseUnlessPlain(ctx, goBackwards, returnState, initial.length);
    const inDim = sequenceFeatures(ctx, x!);
    const cell = readCell(ctx, className, inDim, (key, shape, optional) => ctx.weight(key, shape, optional as true));
    if (initial.length !== 0 && initial.length !== cell.states) throw new UnsupportedLayerError(`${ctx.cfg.where}: got ${initial.length} initial states; a ${className} takes ${cell.states}`);
    const want = { y: returnSequences, yh: !returnSequences || returnState, yc: returnState };
    // ResetAfterGRU is a plain layer: TF.js hands it no mask.
    const input = className === 'ResetAfterGRU' ? { ...x!, maskIds: undefined } : x!;
    const r = emitRecurrent(ctx, input, [cell], goBackwards ? 'reverse' : 'forward', initial, want);
    const h = cell.units;
    let output: KerasValue;
    if (returnSequences) {
      const seq = ctx.add('Squeeze', [r.y!, ctx.graph.int64Const(ctx.hint('axes'), [1])], [r.steps, 'N', h]);
      output = { name: goBackwards ? reverseTime(ctx, seq, [r.steps, 'N', h]) : seq, shape: ['N', r.steps, h], perm: TIME_MAJOR };
    } else {
      output = squeezeDirection(ctx, r.yh!, h);
    }
    if (!returnState) return [output];
    const hState = returnSequences ? squeezeDirection(ctx, r.yh!, h) : output;
    return cell.states === 2 ? [output, hState, squeezeDirection(ctx, r.yc!, h)] : [output, hState];
  };

/** Stock TF.js GRU (reset_after false unless a Keras-converted config says true). */
export const gruLayer = recurrent('GRU');
/** Our registered custom layer (train/gru.ts): always reset_after. */
export const resetAfterGru = recurrent('ResetAfterGRU');
export const lstm = recurrent('LSTM');
export const simpleRnn = recurrent('SimpleRNN');
