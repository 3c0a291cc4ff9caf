// BatchMatMul for the WASM backend with transposed operands made fast: the package sends any
// transposed or batched product to a scalar loop, and backpropagation through every Dense, GRU and
// im2col product is transposed (dA = dy B^T, dB = A^T dy). We transpose the operand on the heap
// (O(size), cheap next to the O(M*K*N) product) and run the untransposed XNNPACK path.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, matMulOnHeap, originalWasmKernel, transposeOnHeap } from './wasm-heap.js';

export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const batchOf = (t: tf.TensorInfo) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if ((!transposeA && !transposeB) || batchOf(a) !== 1 || batchOf(b) !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return originalWasmKernel('BatchMatMul')(args);
  }
  const wasm = backend as WasmBackendLike;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const left = transposeA ? transposeOnHeap(wasm, a, aRows, aCols) : a;
  const right = transposeB ? transposeOnHeap(wasm, b, bRows, bCols) : b;
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const n = transposeB ? bRows : bCols;
  const out = matMulOnHeap(backend, left, right, m, k, n);
  if (left !== a) wasm.disposeData(left.dataId);
  if (right !== b) wasm.disposeData(right.dataId);
  const outShape = [...(a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2), m, n];
  return { dataId: out.dataId, dtype: out.dtype, shape: outShape };
}

