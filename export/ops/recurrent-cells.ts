// What each Keras recurrent class contributes to its ONNX node: weights in ONNX gate order and
// layout, activations, and class-specific attributes. recurrent.ts builds the node around it.
// - GRU (ONNX GRU, gates z r h): Keras shares the order. reset_after=True (ResetAfterGRU, Keras GRU
//   default) == linear_before_reset=1 with B = [input bias, recurrent bias] (bias [2,3H] rows), i.e.
//   hh = g(x Wh + bWh + r * (h Rh + bRh)); stock TF.js GRU (reset_after=False): linear_before_reset=0,
//   B = [bias, zeros], hh = g(x Wh + (r*h) Rh + bWh).
// - LSTM (ONNX LSTM, gates i o f c): Keras orders i f c o, so gate blocks are reordered; activations
//   [recurrent_activation, activation, activation] (cell candidate and output both use `activation`);
//   no peepholes, input_forget 0. B = [bias, zeros].
// - SimpleRNN (ONNX RNN): one gate, activations [activation]. B = [bias, zeros].
// Keras kernels are [I, G*H] / [H, G*H]; ONNX wants [G*H, I] / [G*H, H]. TF.js hard_sigmoid = ONNX
// HardSigmoid(alpha .2, beta .5); 'linear' = ONNX Affine(alpha 1, beta 0). TF.js defaults:
// recurrent_activation hard_sigmoid (GRU, LSTM), activation tanh.
import { attr, type Attr } from '../graph.js';
import type { ConvertContext } from '../convert-context.js';

export interface RnnActivation {
  op: string;
  alpha?: number;
  beta?: number;
}

export interface RnnCell {
  op: 'GRU' | 'LSTM' | 'RNN';
  units: number;
  /** LSTM carries two states (h, c); GRU and SimpleRNN one. */
  states: 1 | 2;
  /** ONNX W [G*H, I], R [G*H, H], B [2*G*H] for one direction. */
  w: Float32Array;
  r: Float32Array;
  b: Float32Array;
  gates: number;
  activations: RnnActivation[];
  attributes: Record<string, Attr>;
}

const RNN_ACTIVATIONS: Readonly<Record<string, RnnActivation>> = Object.freeze({
  hard_sigmoid: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  hardSigmoid: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  linear: { op: 'Affine', alpha: 1, beta: 0 },
  relu: { op: 'Relu' },
  sigmoid: { op: 'Sigmoid' },
  softplus: { op: 'Softplus' },
  softsign: { op: 'Softsign' },
  tanh: { op: 'Tanh' },
});

function rnnActivation(ctx: ConvertContext, key: string, fallback: string): RnnActivation {
  const name = (ctx.cfg.raw(key) ?? fallback) as string;
  const a = RNN_ACTIVATIONS[name];
  if (!a) ctx.cfg.fail(key, name, Object.keys(RNN_ACTIVATIONS).join(', '));
  return a;
}

/** Keras [rows, G*H] -> ONNX [G*H, rows], gate block j of the output taken from Keras block order[j]. */
function toOnnxGates(m: Float32Array, rows: number, units: number, order: readonly number[]): Float32Array {
  const cols = order.length * units;
  const out = new Float32Array(m.length);
  if (order.every((from, j) => from === j)) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
    return out;
  }
  // Output row of each Keras column; the Keras matrix is read in storage order (it can be MBs).
  const rowOf = new Int32Array(cols);
  order.forEach((from, j) => {
    for (let u = 0; u < units; u++) rowOf[from * units + u] = j * units + u;
  });
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[rowOf[c]! * rows + r] = m[r * cols + c]!;
  return out;
}

const GATE_ORDER = Object.freeze({ GRU: [0, 1, 2], LSTM: [0, 3, 1, 2], RNN: [0] });

/** Weight lookup for the layer itself or, inside Bidirectional, under "forward_" / "backward_". */
export type WeightReader = (key: string, shape: number[], optional?: boolean) => Float32Array | undefined;

/** Reads one recurrent layer's cell (its config is ctx.cfg) with weights from `weight`. */
export function readCell(ctx: ConvertContext, className: string, inDim: number, weight: WeightReader): RnnCell {
  const cfg = ctx.cfg;
  const h = cfg.positiveInt('units');
  const useBias = cfg.bool('use_bias', true);
  const op = className === 'LSTM' ? 'LSTM' : className === 'SimpleRNN' ? 'RNN' : 'GRU';
  const gates = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
  const order = GATE_ORDER[op];
  const g = gates * h;
  const kernel = weight('kernel', [inDim, g])!;
  const recurrent = weight('recurrent_kernel', [h, g])!;
  const b = new Float32Array(2 * g);
  const attributes: Record<string, Attr> = {};
  let activations: RnnActivation[];
  if (op === 'GRU') {
    const resetAfter = cfg.bool('reset_after', className === 'ResetAfterGRU');
    // Keras reset_after bias is [2, 3H] (input row, recurrent row) - exactly ONNX's [Wb, Rb].
    if (useBias) b.set(resetAfter ? weight('bias', [2, g])! : weight('bias', [g])!, 0);
    activations = [rnnActivation(ctx, 'recurrent_activation', className === 'ResetAfterGRU' ? 'sigmoid' : 'hard_sigmoid'), rnnActivation(ctx, 'activation', 'tanh')];
    attributes.linear_before_reset = attr.int(resetAfter ? 1 : 0);
  } else {
    if (useBias) b.set(toOnnxGates(weight('bias', [g])!, 1, h, order), 0);
    const act = rnnActivation(ctx, 'activation', 'tanh');
    activations = op === 'LSTM' ? [rnnActivation(ctx, 'recurrent_activation', 'hard_sigmoid'), act, act] : [act];
  }
  return { op, units: h, states: op === 'LSTM' ? 2 : 1, w: toOnnxGates(kernel, inDim, h, order), r: toOnnxGates(recurrent, h, h, order), b, gates, activations, attributes };
}
