// Pooling: MaxPooling1D/AveragePooling1D -> ONNX MaxPool/AveragePool(X[N,C,T]; kernel_shape, strides, pads);
// GlobalAverage/GlobalMaxPooling1D -> ReduceMean/ReduceMax over the time axis (wherever the layout put it).
// Porting notes: TF pools are NWC, ONNX NCW. SAME puts the odd pad at the end; TF's SAME average pool
// does not count padding (ONNX count_include_pad=0) and its max pool ignores it (ONNX pads never win a max).
import { attr, type Dim } from '../graph.js';
import { CHANNELS_FIRST, identity, permute, storedAxis } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { windowOutputLength, windowPads } from './padding.js';

const pool =
  (op: 'MaxPool' | 'AveragePool'): Converter =>
  (ctx, [x]) => {
    const cfg = ctx.cfg;
    cfg.requireDefault('data_format', 'channels_last');
    const k = cfg.size1d('pool_size', 2);
    const stride = cfg.raw('strides') === null || cfg.raw('strides') === undefined ? k : cfg.size1d('strides');
    const padding = cfg.oneOf('padding', ['same', 'valid'] as const, 'valid');
    const [, length, channels] = x!.shape;
    if (typeof length !== 'number') return cfg.fail('input length', length, 'a static length');
    const pads = windowPads(padding, length, k, stride);
    const outLength = windowOutputLength(length, pads, k, stride);
    if (outLength < 1) cfg.fail('pool_size', k, `at most the input length ${length} with padding valid`);
    const kerasOut: Dim[] = ['N', outLength, channels!];
    const attributes = { kernel_shape: attr.ints([k]), strides: attr.ints([stride]), pads: attr.ints(pads) };
    if (op === 'AveragePool') Object.assign(attributes, { count_include_pad: attr.int(0) });
    const y = ctx.add(op, [ctx.as(x!, CHANNELS_FIRST)], permute(kerasOut, CHANNELS_FIRST), attributes);
    return [{ name: y, shape: kerasOut, perm: CHANNELS_FIRST }];
  };

export const maxPooling1d = pool('MaxPool');
export const averagePooling1d = pool('AveragePool');

const globalPool =
  (op: 'ReduceMean' | 'ReduceMax'): Converter =>
  (ctx, [x]) => {
    ctx.cfg.requireDefault('data_format', 'channels_last');
    const keep = ctx.cfg.bool('keepdims', false);
    const axis = storedAxis(x!.perm, 1);
    const kerasOut: Dim[] = keep ? ['N', 1, x!.shape[2]!] : ['N', x!.shape[2]!];
    const perm = keep ? x!.perm : identity(2);
    const y = ctx.add(op, [x!.name], permute(kerasOut, perm), { axes: attr.ints([axis]), keepdims: attr.int(keep ? 1 : 0) });
    return [{ name: y, shape: kerasOut, perm }];
  };

export const globalAveragePooling1d = globalPool('ReduceMean');
export const globalMaxPooling1d = globalPool('ReduceMax');
