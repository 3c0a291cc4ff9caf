// BatchNormalization -> ONNX BatchNormalization(X[N,C,...], scale, B, input_mean, input_var; epsilon).
// Porting notes: Keras normalises its channel axis (last, NWC); ONNX normalises axis 1, so rank-3 input
// is taken channels-first (a no-op after a Conv). center=false / scale=false mean beta 0 / gamma 1.
// Inference mode only (training_mode=0, moving statistics). passes/fold-batch-norm.ts folds it into a
// preceding Conv/Gemm when that is exact.
import { attr } from '../graph.js';
import { CHANNELS_FIRST, identity, permute } from '../layout.js';
import type { Converter } from '../convert-context.js';

export const batchNormalization: Converter = (ctx, [x]) => {
  const cfg = ctx.cfg;
  const rank = x!.shape.length;
  let axis = cfg.raw('axis') ?? -1;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  if (axis !== -1 && axis !== rank - 1) cfg.fail('axis', cfg.raw('axis'), `-1 (the channel axis, ${rank - 1} here)`);
  if (rank !== 2 && rank !== 3) cfg.fail('input rank', rank, '2 or 3');
  const c = x!.shape[rank - 1];
  if (typeof c !== 'number') return cfg.fail('channels', c, 'a static size');
  const channels: number = c;
  const epsilon = cfg.number('epsilon', 1e-3);
  const scale = cfg.bool('scale', true) ? ctx.weight('gamma', [channels]) : new Float32Array(channels).fill(1);
  const center = cfg.bool('center', true) ? ctx.weight('beta', [channels]) : new Float32Array(channels);
  const g = ctx.graph;
  const perm = rank === 3 ? CHANNELS_FIRST : identity(2);
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
