// Conv2DBackpropInput for the WASM backend as one XNNPACK product and a col2im:
//   dcols [N*Ho*Wo, Kh*Kw*Cin] = dy [N*Ho*Wo, Cout] x filter^T [Cout, Kh*Kw*Cin]; dx = col2im(dcols)
// (the product moves whichever of the filter or dy is smaller: matMulTransposedB).
// The package's kernel is a direct scalar loop, several times slower on the paper's layers.
import * as tf from '@tensorflow/tfjs';
import { heapSimd } from './heap-simd.js';
import { col2im } from './im2col.js';
import { planTaps, sliceFilter } from './taps.js';
import { type KernelArgs, type WasmBackendLike, matMulTransposedB, originalWasmKernel } from './wasm-heap.js';

export function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW' || dy.dtype !== 'float32') return originalWasmKernel('Conv2DBackpropInput')(args);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { full, taps, whole, g } = planTaps(info);
  const wasm = backend as WasmBackendLike;
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const depth = g.filterHeight * g.filterWidth * g.inChannels;
  const weights = whole ? filter : sliceFilter(wasm, filter, full, taps, info.outChannels);
  const dcols = matMulTransposedB(wasm, dy, weights, rows, info.outChannels, depth);
  if (weights !== filter) wasm.disposeData(weights.dataId);
  const dx = wasm.makeOutput(inputShape, 'float32');
  col2im(wasm.typedArrayFromHeap(dcols), wasm.typedArrayFromHeap(dx), g, heapSimd(backend));
  wasm.disposeData(dcols.dataId);
  return dx;
}

