// Small typed view of the WASM backend internals our kernels use (the package does not export
// these types), plus helpers to call the backend's own kernels from inside a kernel.
import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-wasm's BackendWasm our kernels touch. */
export interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.TensorInfo['dataId']): boolean;
}

export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
};

/** The kernel function registered for kernelName on the wasm backend (throws if there is none). */
export function wasmKernel(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'wasm');
  if (!config) throw new Error(`train/kernels: wasm kernel '${kernelName}' is not registered; call initBackend('wasm') first`);
  return config.kernelFunc;
}

/** A TensorInfo that shares info's data under another shape (no copy; the caller keeps ownership). */
export function viewAs(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape };
}
