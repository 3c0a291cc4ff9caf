// GRU -> ONNX GRU(X[T,N,I], W[1,3H,I], R[1,3H,H], B[1,6H]; hidden_size, activations, linear_before_reset)
// -> Y[T,1,N,H], Y_h[1,N,H]. Two source forms:
// - ResetAfterGRU (ours) and Keras GRU(reset_after=True): linear_before_reset=1, B = [input bias,
//   recurrent bias] (bias [2,3H] rows), i.e. hh = g(x Wh + bWh + r * (h Rh + bRh)).
// - stock TF.js GRU (reset_after=False): linear_before_reset=0, B = [bias, zeros], hh = g(x Wh + (r*h) Rh + bWh).
// Porting notes: Keras and ONNX share gate order z, r, h and h' = z*h + (1-z)*hh, so no reordering;
// Keras kernels are [I,3H] / [H,3H] (transposed here); ONNX wants time-major input, so X is taken
// in (T,N,C) layout and a return_sequences output stays time-major until a consumer needs otherwise.
// TF.js hard_sigmoid = ONNX HardSigmoid(alpha .2, beta .5); 'linear' = ONNX Affine(alpha 1, beta 0).
import { UnsupportedLayerError } from '@ecg-onnx/core';
import { attr, type Attr, type Dim } from '../graph.js';
import { identity, TIME_MAJOR } from '../layout.js';
import type { ConvertContext, Converter } from '../convert-context.js';

const RNN_ACTIVATIONS: Readonly<Record<string, { op: string; alpha?: number; beta?: number }>> = Object.freeze({
  hard_sigmoid: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  hardSigmoid: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  linear: { op: 'Affine', alpha: 1, beta: 0 },
  relu: { op: 'Relu' },
  sigmoid: { op: 'Sigmoid' },
  softplus: { op: 'Softplus' },
  softsign: { op: 'Softsign' },
  tanh: { op: 'Tanh' },
});

function rnnActivation(ctx: ConvertContext, key: string, fallback: string) {
  const name = (ctx.cfg.raw(key) ?? fallback) as string;
  const a = RNN_ACTIVATIONS[name];
  if (!a) ctx.cfg.fail(key, name, Object.keys(RNN_ACTIVATIONS).join(', '));
  return a;
}

/** Keras [rows, 3H] -> ONNX [1, 3H, rows] (a plain transpose: gate blocks are already z, r, h). */
function transposeGates(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

function gru(resetAfterDefault: boolean): Converter {
  return (ctx, [x]) => {
    const cfg = ctx.cfg;
    for (const off of ['go_backwards', 'stateful', 'return_state']) {
      if (cfg.bool(off, false)) cfg.fail(off, true, 'false');
    }
    cfg.requireDefault('time_major', false);
    const resetAfter = cfg.bool('reset_after', resetAfterDefault);
    const h = cfg.positiveInt('units');
    const returnSequences = cfg.bool('return_sequences', false);
    const useBias = cfg.bool('use_bias', true);
    const [, steps, inDim] = x!.shape;
    if (x!.shape.length !== 3 || typeof inDim !== 'number') throw new UnsupportedLayerError(`${cfg.where}: input [${x!.shape}] must be [N, T, features] with static features`);
    const f = rnnActivation(ctx, 'recurrent_activation', resetAfterDefault ? 'sigmoid' : 'hard_sigmoid');
    const g = rnnActivation(ctx, 'activation', 'tanh');

    const kernel = ctx.weight('kernel', [inDim, 3 * h]);
    const recurrent = ctx.weight('recurrent_kernel', [h, 3 * h]);
    const b = new Float32Array(6 * h);
    if (useBias) {
      // Keras reset_after bias is [2, 3H] (input row, recurrent row) - exactly ONNX's [Wb, Rb].
      const bias = resetAfter ? ctx.weight('bias', [2, 3 * h]) : ctx.weight('bias', [3 * h]);
      b.set(bias, 0);
    }
    const graph = ctx.graph;
    const inputs = [
      ctx.as(x!, TIME_MAJOR),
      graph.floatConst(ctx.hint('W'), [1, 3 * h, inDim], transposeGates(kernel, inDim, 3 * h)),
      graph.floatConst(ctx.hint('R'), [1, 3 * h, h], transposeGates(recurrent, h, 3 * h)),
      graph.floatConst(ctx.hint('B'), [1, 6 * h], b),
    ];
    const attributes: Record<string, Attr> = {
      hidden_size: attr.int(h),
      activations: attr.strings([f.op, g.op]),
      linear_before_reset: attr.int(resetAfter ? 1 : 0),
    };
    // Alphas/betas are consumed in activation order by the activations that take them.
    const alphas = [f, g].filter((a) => a.alpha !== undefined).map((a) => a.alpha!);
    const betas = [f, g].filter((a) => a.beta !== undefined).map((a) => a.beta!);
    if (alphas.length > 0) attributes.activation_alpha = attr.floats(alphas);
    if (betas.length > 0) attributes.activation_beta = attr.floats(betas);
    const [y, yh] = graph.addMulti(
      'GRU',
      inputs,
      [returnSequences ? [steps!, 1, 'N', h] : null, returnSequences ? null : [1, 'N', h]],
      attributes,
      ctx.hint('GRU'),
      ctx.doc,
    );
    if (returnSequences) {
      const kerasOut: Dim[] = ['N', steps!, h];
      const seq = ctx.add('Squeeze', [y!, graph.int64Const(ctx.hint('axes'), [1])], [steps!, 'N', h]);
      return [{ name: seq, shape: kerasOut, perm: TIME_MAJOR }];
    }
    const last = ctx.add('Squeeze', [yh!, graph.int64Const(ctx.hint('axes'), [0])], ['N', h]);
    return [{ name: last, shape: ['N', h], perm: identity(2) }];
  };
}

/** Stock TF.js GRU (reset_after false unless a Keras-converted config says true). */
export const gruLayer = gru(false);
/** Our registered custom layer (train/gru.ts): always reset_after. */
export const resetAfterGru = gru(true);
