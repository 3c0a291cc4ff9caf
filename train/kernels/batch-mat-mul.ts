// BatchMatMul for the WASM backend with transposed operands made fast: the package sends any
// transposed or batched product to a scalar loop, and backpropagation through every Dense, GRU and
// im2col product is transposed (dA = dy B^T, dB = A^T dy). We transpose an operand on the heap
// (O(size), cheap next to the O(M*K*N) product) and run the untransposed XNNPACK path; for dy B^T,
// whichever of b or dy is cheaper to move (matMulTransposedB).
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, matMulOnHeap, matMulTransposedB, originalWasmKernel, transposeOnHeap } from './wasm-heap.js';

export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const batchOf = (t: tf.TensorInfo) => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const empty = [a.shape.at(-2), a.shape.at(-1), b.shape.at(transposeB ? -2 : -1)].includes(0);
  if (empty && a.dtype === 'float32') return zerosProduct(backend as WasmBackendLike, a, b, transposeA, transposeB);
  if ((!transposeA && !transposeB) || batchOf(a) !== 1 || batchOf(b) !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return originalWasmKernel('BatchMatMul')(args);
  }
  const wasm = backend as WasmBackendLike;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const outShape = (m: number, n: number) => [...(a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2), m, n];
  if (!transposeA) {
    const out = matMulTransposedB(wasm, a, b, aRows, aCols, bRows);
    return { dataId: out.dataId, dtype: out.dtype, shape: outShape(aRows, bRows) };
  }
  const left = transposeOnHeap(wasm, a, aRows, aCols);
  const right = transposeB ? transposeOnHeap(wasm, b, bRows, bCols) : b;
  const n = transposeB ? bRows : bCols;
  const out = matMulOnHeap(backend, left, right, aCols, aRows, n);
  wasm.disposeData(left.dataId);
  if (right !== b) wasm.disposeData(right.dataId);
  return { dataId: out.dataId, dtype: out.dtype, shape: outShape(aCols, n) };
}

/**
 * A product with an empty dimension: no values, or all zeros when the inner one is empty. The package's
 * kernel leaves its output uninitialised there (XNNPACK refuses zero channels and logs it), so
 * [2, 0] x [0, 3] read whatever the heap held.
 */
function zerosProduct(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo {
  const m = a.shape.at(transposeA ? -1 : -2)!;
  const n = b.shape.at(transposeB ? -2 : -1)!;
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...batch, m, n], 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  return out;
}
