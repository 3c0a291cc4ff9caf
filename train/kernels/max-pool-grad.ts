// MaxPoolGrad for the WASM backend as one pass over the windows (NHWC, no dilation): the gradient
// of each output goes to the first maximum of its window, as in the CPU backend. The package's
// kernel took 5-10 ms per training step in our profiles for the first pooling layer alone.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike } from './wasm-heap.js';

export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(input.shape, 'float32');
  const x = wasm.typedArrayFromHeap(input);
  const g = wasm.typedArrayFromHeap(dy);
  const dx = wasm.typedArrayFromHeap(out);
  dx.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let n = 0; n < batchSize; n++) {
    for (let ho = 0; ho < outHeight; ho++) {
      const h0 = Math.max(ho * strideHeight - info.padInfo.top, 0);
      const h1 = Math.min(ho * strideHeight - info.padInfo.top + filterHeight, inHeight);
      for (let wo = 0; wo < outWidth; wo++) {
        const w0 = Math.max(wo * strideWidth - info.padInfo.left, 0);
        const w1 = Math.min(wo * strideWidth - info.padInfo.left + filterWidth, inWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const base = ((n * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const gBase = ((n * outHeight + ho) * outWidth + wo) * channels;
        for (let c = 0; c < channels; c++) if (where[c]! >= 0) dx[where[c]!]! += g[gBase + c]!;
      }
    }
  }
  return out;
}
