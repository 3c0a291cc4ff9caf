// Conv2D (forward) for the WASM backend as im2col + one XNNPACK matrix product, so that kernel
// taps which only meet padding can be skipped (taps.ts: 40% of the paper's 512-filter conv).
// The package's XNNPACK convolution is re-created whenever the filter changes (every training
// step); bench/train.ts compares the two side by side. Dilated or NCHW convolutions keep the
// package's kernel.
import * as tf from '@tensorflow/tfjs';
import { im2col } from './im2col.js';
import { planTaps, sliceFilter } from './taps.js';
import { type KernelArgs, type WasmBackendLike, matMulOnHeap, originalWasmKernel } from './wasm-heap.js';

export function conv2D(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dilations: [number, number] | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const dilated = Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1;
  if (dataFormat === 'NCHW' || dilated || x.dtype !== 'float32') return originalWasmKernel('Conv2D')(args);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { full, taps, whole, g } = planTaps(info);
  const wasm = backend as WasmBackendLike;
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const depth = g.filterHeight * g.filterWidth * g.inChannels;
  const cols = wasm.makeOutput([rows, depth], 'float32');
  im2col(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(cols), g);
  const weights = whole ? filter : sliceFilter(wasm, filter, full, taps, info.outChannels);
  const out = matMulOnHeap(backend, cols, weights, rows, depth, info.outChannels);
  wasm.disposeData(cols.dataId);
  if (weights !== filter) wasm.disposeData(weights.dataId);
  return { dataId: out.dataId, dtype: out.dtype, shape: info.outShape };
}

