// Sum and Mean for the WASM backend when the reduced axes are the leading ones (BatchNorm's batch
// statistics and their gradients, conv bias gradients: [N, T, C] -> [C]). The package transposes
// the reduced axes innermost first, which costs more than the sum; a column sum needs no
// transpose. Partial sums are float64 so long reductions stay accurate. Other cases: the package.
import * as tf from '@tensorflow/tfjs';
import { heapSimd } from './heap-simd.js';
import { type KernelArgs, type WasmBackendLike, originalWasmKernel } from './wasm-heap.js';

/** The number of leading axes reduced when axes are exactly 0..k-1 (k < rank), else 0. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = tf.util.parseAxisParam(axis, new Array<number>(rank).fill(1)).sort((a, b) => a - b);
  const isPrefix = axes.every((a, i) => a === i);
  return isPrefix && axes.length < rank ? axes.length : 0;
}

function reduceLeading(kernelName: 'Sum' | 'Mean', args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
  const k = leadingAxes(axis, x.shape.length);
  if (k === 0 || x.dtype !== 'float32') return originalWasmKernel(kernelName)(args);
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const kept = x.shape.slice(k);
  const width = kept.reduce((a, b) => a * b, 1);
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(keepDims ? [...new Array<number>(k).fill(1), ...kept] : kept, 'float32');
  const xs = wasm.typedArrayFromHeap(x);
  const scale = kernelName === 'Mean' ? 1 / rows : 1;
  const dst = wasm.typedArrayFromHeap(out);
  const simd = width % 4 === 0 ? heapSimd(backend) : undefined;
  // The SIMD loop (heap-simd.ts) does columnSums' float64 sums in the same order.
  if (simd) simd.columnSums(xs.byteOffset, rows, width, dst.byteOffset, scale);
  else columnSums(xs, rows, width, dst, scale);
  return out;
}

/** dst[c] = scale * (sum of column c of the row-major [rows, width] xs), float64 partial sums (heap-simd.ts does the same in SIMD). */
export function columnSums(xs: Float32Array, rows: number, width: number, dst: Float32Array, scale: number): void {
  const acc = new Float64Array(width);
  let r = 0;
  // Four rows per pass: 3-4x faster in V8 than one (fewer accumulator loads and stores).
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * width;
    const b1 = b0 + width;
    const b2 = b1 + width;
    const b3 = b2 + width;
    for (let c = 0; c < width; c++) acc[c]! += xs[b0 + c]! + xs[b1 + c]! + (xs[b2 + c]! + xs[b3 + c]!);
  }
  for (; r < rows; r++) {
    const base = r * width;
    for (let c = 0; c < width; c++) acc[c]! += xs[base + c]!;
  }
  for (let c = 0; c < width; c++) dst[c] = acc[c]! * scale;
}

export const sumLeading = (args: KernelArgs): tf.TensorInfo => reduceLeading('Sum', args);
export const meanLeading = (args: KernelArgs): tf.TensorInfo => reduceLeading('Mean', args);
