// Conv2DBackpropFilter for the WASM backend, which ships without it (TF.js 4.22), so training any
// Conv1D/Conv2D model on wasm fails. The filter gradient is an im2col + one matrix product:
//   dW[(kh,kw,ci), co] = sum over (n,ho,wo) of x_pad[n, ho*sh+kh, wo*sw+kw, ci] * dy[n,ho,wo,co]
// The im2col matrix is written transposed ([kh*kw*ci, n*ho*wo]) straight into the WASM heap by a
// JS loop, so the product is a plain (untransposed, batch-1) BatchMatMul, which the backend runs
// with XNNPACK; transposed products fall back to its slow scalar loop.
import * as tf from '@tensorflow/tfjs';
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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows = filterHeight * filterWidth * inChannels; // one row per filter weight (kh, kw, ci)
  const cols = batchSize * outHeight * outWidth; // one column per output position (n, ho, wo)

  const colsT = wasm.makeOutput([rows, cols], 'float32');
  // Views are taken after the allocation: growing the heap detaches earlier views.
  const xs = wasm.typedArrayFromHeap(x);
  const out = wasm.typedArrayFromHeap(colsT);
  const xRow = inWidth * inChannels;
  const xImage = inHeight * xRow;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const base = ((kh * filterWidth + kw) * inChannels + ci) * cols;
        let c = 0;
        for (let n = 0; n < batchSize; n++) {
          for (let ho = 0; ho < outHeight; ho++) {
            const h = ho * strideHeight + kh - top;
            const rowInside = h >= 0 && h < inHeight;
            const rowOffset = n * xImage + h * xRow + ci;
            for (let wo = 0; wo < outWidth; wo++, c++) {
              const w = wo * strideWidth + kw - left;
              out[base + c] = rowInside && w >= 0 && w < inWidth ? xs[rowOffset + w * inChannels]! : 0;
            }
          }
        }
      }
    }
  }
  const product = matMulOnHeap(backend, colsT, dy, rows, cols, outChannels);
  wasm.disposeData(colsT.dataId);
  return { dataId: product.dataId, dtype: product.dtype, shape: filterShape };
}
