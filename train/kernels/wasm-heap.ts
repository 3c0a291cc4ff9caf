// Small typed view of the WASM backend internals our kernels use (the package does not export
// these types), plus the building blocks they share: the backend's own kernels captured before we
// override any, a heap transpose, and an XNNPACK-backed [M,K] x [K,N] product.
import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-wasm's BackendWasm our kernels touch. */
export interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of info's data on the WASM heap (Float32Array for float32, Int32Array for int32, ...). */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.TensorInfo['dataId']): boolean;
}

export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
};
export type WasmKernelFunc = (args: KernelArgs) => tf.TensorInfo;

// The package's kernels, captured the first time each is asked for (before any override), so an
// override can fall back to the original and our kernels can call the originals.
const originals = new Map<string, WasmKernelFunc>();

/** The wasm backend's own kernel for kernelName (throws if the backend has none). */
export function originalWasmKernel(kernelName: string): WasmKernelFunc {
  let fn = originals.get(kernelName);
  if (!fn) {
    const config = tf.getKernel(kernelName, 'wasm');
    if (!config) throw new Error(`train/kernels: wasm kernel '${kernelName}' is not registered; call initBackend('wasm') first`);
    fn = config.kernelFunc as unknown as WasmKernelFunc;
    originals.set(kernelName, fn);
  }
  return fn;
}

/** A TensorInfo that shares info's data under another shape (no copy; the caller keeps ownership). */
export function viewAs(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape };
}

/**
 * A new [cols, rows] tensor holding the transpose of the row-major [rows, cols] data of info: the
 * package's own Transpose kernel (C++ on the heap), 1.4-3.5x faster than a tiled JavaScript loop here.
 */
export function transposeOnHeap(backend: WasmBackendLike, info: tf.TensorInfo, rows: number, cols: number): tf.TensorInfo {
  return originalWasmKernel('Transpose')({ inputs: { x: viewAs(info, [rows, cols]) }, backend, attrs: { perm: [1, 0] } });
}

/**
 * [M,K] x [K,N] -> [M,N] through the backend's untransposed batch-1 BatchMatMul, the only case it
 * hands to XNNPACK (b is packed as the weights; everything else runs a scalar loop ~8x slower).
 */
export function matMulOnHeap(backend: tf.KernelBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  return originalWasmKernel('BatchMatMul')({
    inputs: { a: viewAs(a, [m, k]), b: viewAs(b, [k, n]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
}

/** How matMulTransposedB computes a b^T: transpose b (direct), or compute (b a^T)^T (flipped). */
export type TransposedBPlan = 'direct' | 'flipped';

/**
 * The cheaper plan for a [M,K] x b^T (b stored [N,K]) by the values each moves: XNNPACK packs its right
 * operand on every call, so direct transposes and packs all of b (2NK); flipped transposes and packs a and
 * transposes the [N,M] result (2MK + MN). A few beats against a wide weight (dA = dy W^T): flipped.
 */
export function transposedBPlan(m: number, k: number, n: number): TransposedBPlan {
  return 2 * m * k + m * n < 2 * n * k ? 'flipped' : 'direct';
}

/**
 * a [M,K] x b^T, b stored [N,K] -> [M,N]. Each output is the same dot product summed in the same order
 * under either plan, so both give the same bits (test/train/wasm-kernels.test.ts checks it).
 */
export function matMulTransposedB(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number, plan = transposedBPlan(m, k, n)): tf.TensorInfo {
  if (plan === 'direct') {
    const bT = transposeOnHeap(backend, b, n, k);
    const out = matMulOnHeap(backend, a, bT, m, k, n);
    backend.disposeData(bT.dataId);
    return out;
  }
  const aT = transposeOnHeap(backend, a, m, k);
  const outT = matMulOnHeap(backend, b, aT, n, k, m);
  backend.disposeData(aT.dataId);
  const out = transposeOnHeap(backend, outT, n, m);
  backend.disposeData(outT.dataId);
  return out;
}
