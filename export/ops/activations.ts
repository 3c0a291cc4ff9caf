// Keras activation names -> ONNX nodes (opset 17), shared by Activation, Conv1D and Dense.
// Porting notes: TF.js hard_sigmoid is clip(0.2x + 0.5, 0, 1) == ONNX HardSigmoid(alpha .2, beta .5);
// selu's constants equal ONNX Selu's defaults; swish/silu and mish have no ONNX op before opset 18,
// so they are composed (x * Sigmoid(x), x * Tanh(Softplus(x))); relu6 is Clip(0, 6);
// softmax/log_softmax act on the Keras last axis, wherever the layout put it.
import { attr, type Dim } from '../graph.js';
import { storedAxis, type Perm } from '../layout.js';
import type { ConvertContext } from '../convert-context.js';

type Emit = (ctx: ConvertContext, x: string, shape: Dim[], perm: Perm) => string;

const unary =
  (op: string, attributes: Parameters<ConvertContext['add']>[3] = {}): Emit =>
  (ctx, x, shape) =>
    ctx.add(op, [x], shape, attributes);

/** One explicit table, alphabetical; TF.js serialises activation names in snake_case. */
export const ACTIVATIONS: ReadonlyMap<string, Emit> = new Map<string, Emit>([
  ['elu', unary('Elu', { alpha: attr.float(1) })],
  ['hard_sigmoid', unary('HardSigmoid', { alpha: attr.float(0.2), beta: attr.float(0.5) })],
  ['linear', (_ctx, x) => x],
  ['log_softmax', (ctx, x, shape, perm) => ctx.add('LogSoftmax', [x], shape, { axis: attr.int(storedAxis(perm, -1)) })],
  ['mish', (ctx, x, shape) => ctx.add('Mul', [x, ctx.add('Tanh', [ctx.add('Softplus', [x], shape)], shape)], shape, {}, 'Mish')],
  ['relu', unary('Relu')],
  [
    'relu6',
    (ctx, x, shape) =>
      ctx.add('Clip', [x, ctx.graph.floatConst(ctx.hint('relu6_min'), [], [0]), ctx.graph.floatConst(ctx.hint('relu6_max'), [], [6])], shape, {}, 'Relu6'),
  ],
  ['selu', unary('Selu')],
  ['sigmoid', unary('Sigmoid')],
  ['silu', (ctx, x, shape) => ctx.add('Mul', [x, ctx.add('Sigmoid', [x], shape)], shape, {}, 'Swish')],
  ['softmax', (ctx, x, shape, perm) => ctx.add('Softmax', [x], shape, { axis: attr.int(storedAxis(perm, -1)) })],
  ['softplus', unary('Softplus')],
  ['softsign', unary('Softsign')],
  ['swish', (ctx, x, shape) => ctx.add('Mul', [x, ctx.add('Sigmoid', [x], shape)], shape, {}, 'Swish')],
  ['tanh', unary('Tanh')],
]);

/** Keras also accepts camelCase names in hand-written configs (hardSigmoid, logSoftmax). */
function normalise(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export function activationName(ctx: ConvertContext, key = 'activation'): string {
  const raw = ctx.cfg.raw(key) ?? 'linear';
  const name = typeof raw === 'string' ? normalise(raw) : raw;
  if (typeof name !== 'string' || !ACTIVATIONS.has(name)) ctx.cfg.fail(key, raw, [...ACTIVATIONS.keys()].join(', '));
  return name;
}

/** Applies the layer's activation (config key `key`) to x (stored shape `shape`, layout `perm`). */
export function applyActivation(ctx: ConvertContext, x: string, shape: Dim[], perm: Perm, key = 'activation'): string {
  return ACTIVATIONS.get(activationName(ctx, key))!(ctx, x, shape, perm);
}
