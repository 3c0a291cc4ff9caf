// Identity for the WASM backend without the copy: the package copies the whole buffer (clone,
// tf.keep paths, layers' identity ops: ~2.5 ms per training step in our profiles). Sharing the data under a
// reference count is what the CPU backend does; tensors are immutable, so nothing can tell.
import type * as tf from '@tensorflow/tfjs';
import { type KernelArgs, originalWasmKernel } from './wasm-heap.js';

export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return originalWasmKernel('Identity')(args);
  (args.backend as tf.KernelBackend & { incRef(dataId: tf.TensorInfo['dataId']): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
