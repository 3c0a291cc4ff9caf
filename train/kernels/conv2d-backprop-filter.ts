// Conv2DBackpropFilter for the WASM backend, which ships without it (TF.js 4.22), so training any
// Conv1D/Conv2D model on wasm fails. The filter gradient is an im2col + one matrix product:
//   dW[(kh,kw,ci), co] = sum over (n,ho,wo) of x_pad[n, ho*sh+kh, wo*sw+kw, ci] * dy[n,ho,wo,co]
// The im2col matrix is written transposed ([kh*kw*ci, n*ho*wo]) straight into the WASM heap by a
// JS loop, so the product is a plain (untransposed, batch-1) BatchMatMul, which the backend runs
// with XNNPACK; transposed products fall back to its slow scalar loop. Taps that only meet
// padding are left out (taps.ts) and get a zero gradient.
import * as tf from '@tensorflow/tfjs';
import { im2colTransposed } from './im2col.js';
import { expandFilterGrad, planTaps } from './taps.js';
import { type KernelArgs, type WasmBackendLike, matMulOnHeap } from './wasm-heap.js';

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported; TF.js layers use NHWC by default');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { full, taps, whole, g } = planTaps(info);
  const rows = g.filterHeight * g.filterWidth * g.inChannels; // one row per filter weight (kh, kw, ci)
  const cols = g.batchSize * g.outHeight * g.outWidth; // one column per output position (n, ho, wo)
  const colsT = wasm.makeOutput([rows, cols], 'float32');
  // Views are taken after the allocation: growing the heap detaches earlier views.
  im2colTransposed(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(colsT), g);
  const product = matMulOnHeap(backend, colsT, dy, rows, cols, info.outChannels);
  wasm.disposeData(colsT.dataId);
  if (whole) return { dataId: product.dataId, dtype: product.dtype, shape: filterShape };
  const expanded = expandFilterGrad(wasm, product, full, taps, filterShape);
  wasm.disposeData(product.dataId);
  return expanded;
}
