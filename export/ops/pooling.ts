// Pooling: MaxPooling1D/2D, AveragePooling1D/2D -> ONNX MaxPool/AveragePool(X[N,C,spatial..];
// kernel_shape, strides, pads | auto_pad); GlobalAverage/GlobalMaxPooling1D/2D -> ReduceMean/ReduceMax
// over the spatial axes (wherever the layout put them).
// Porting notes: TF pools are channels-last, ONNX channels-first. SAME puts the odd pad at the end;
// TF's SAME average pool does not count padding (ONNX count_include_pad=0) and its max pool ignores it
// (ONNX pads never win a max). Keras global pools take keepdims (TF.js has none).
import { attr, type Dim } from '../graph.js';
import { identity, permute } from '../layout.js';
import type { Converter } from '../convert-context.js';
import { windowGeometry } from './padding.js';
import { windowLayout } from './window.js';

const pool =
  (op: 'MaxPool' | 'AveragePool', spatialRank: number): Converter =>
  (ctx, [x]) => {
    const cfg = ctx.cfg;
    const layout = windowLayout(ctx, x!, spatialRank);
    const k = spatialRank === 1 ? [cfg.size1d('pool_size', 2)] : cfg.sizes('pool_size', spatialRank, [2, 2]);
    const stride = cfg.raw('strides') === null || cfg.raw('strides') === undefined ? k : cfg.sizes('strides', spatialRank);
    const padding = cfg.oneOf('padding', ['same', 'valid'] as const, 'valid');
    const geometry = windowGeometry(layout.spatial, k, stride, k.map(() => 1), padding, (i) => `${ctx.call.name}_d${i + 1}`);
    if (geometry.out.some((d) => typeof d === 'number' && d < 1)) cfg.fail('pool_size', cfg.raw('pool_size'), `at most the input size [${layout.spatial}] with padding valid`);
    const kerasOut: Dim[] = layout.kerasShape(geometry.out, layout.channels);
    const attributes = { kernel_shape: attr.ints(k), strides: attr.ints(stride), ...geometry.padAttributes };
    if (op === 'AveragePool') Object.assign(attributes, { count_include_pad: attr.int(0) });
    const y = ctx.add(op, [ctx.as(x!, layout.perm)], permute(kerasOut, layout.perm), attributes);
    return [{ name: y, shape: kerasOut, perm: layout.perm }];
  };

export const maxPooling1d = pool('MaxPool', 1);
export const averagePooling1d = pool('AveragePool', 1);
export const maxPooling2d = pool('MaxPool', 2);
export const averagePooling2d = pool('AveragePool', 2);

const globalPool =
  (op: 'ReduceMean' | 'ReduceMax', spatialRank: number): Converter =>
  (ctx, [x]) => {
    const layout = windowLayout(ctx, x!, spatialRank);
    const keep = ctx.cfg.bool('keepdims', false);
    const axes = layout.spatialAxes.map((a) => x!.perm.indexOf(a)).sort((a, b) => a - b);
    const kerasOut: Dim[] = keep ? layout.kerasShape(layout.spatial.map(() => 1), layout.channels) : ['N', layout.channels];
    const perm = keep ? x!.perm : identity(2);
    const y = ctx.add(op, [x!.name], permute(kerasOut, perm), { axes: attr.ints(axes), keepdims: attr.int(keep ? 1 : 0) });
    return [{ name: y, shape: kerasOut, perm }];
  };

export const globalAveragePooling1d = globalPool('ReduceMean', 1);
export const globalMaxPooling1d = globalPool('ReduceMax', 1);
export const globalAveragePooling2d = globalPool('ReduceMean', 2);
export const globalMaxPooling2d = globalPool('ReduceMax', 2);
