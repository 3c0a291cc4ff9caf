// The kernels TF.js's WASM backend lacks (or runs slowly) for training, registered in one place.
import { registerConv2DBackpropFilter } from './conv2d-backprop-filter.js';

/** Registers every training kernel for the 'wasm' backend; call after the backend is ready. Idempotent. */
export function registerWasmTrainingKernels(): void {
  registerConv2DBackpropFilter();
}
