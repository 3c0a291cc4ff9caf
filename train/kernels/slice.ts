// Slice for the WASM backend without copying its input. The package's kernel first reads the whole
// input off the heap (readSync: a copy), then slices the copy. TF.js's orthogonal initialiser (the
// GRU's recurrent kernel) slices a [384, 128] matrix a few hundred times in its QR, so that copy made
// up 0.8 s of a 1.1 s model build here. We copy only the slice, straight from a view of the heap.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, originalWasmKernel } from './wasm-heap.js';

export function slice(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: tf.TensorInfo };
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return originalWasmKernel('Slice')(args);
  const { begin, size } = attrs as { begin: number | number[]; size: number | number[] };
  const [start, extent] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size) as [number[], number[]];
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(extent, x.dtype);
  const count = extent.reduce((a, b) => a * b, 1);
  if (count === 0) return out;
  const src = wasm.typedArrayFromHeap(x); // views after the allocation: growing the heap detaches earlier ones
  const dst = wasm.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, start, extent)) {
    const from = tf.slice_util.computeFlatOffset(start, strides);
    dst.set(src.subarray(from, from + count));
    return out;
  }
  // Copy runs along the last axis; `index` walks the other axes like an odometer.
  const rank = extent.length;
  const run = extent[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  for (let at = 0; at < count; at += run) {
    let from = start[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) from += (start[d]! + index[d]!) * strides[d]!;
    dst.set(src.subarray(from, from + run), at);
    for (let d = rank - 2; d >= 0 && ++index[d]! === extent[d]; d--) index[d] = 0;
  }
  return out;
}
