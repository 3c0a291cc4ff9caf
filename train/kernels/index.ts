// The kernels TF.js's WASM backend lacks or runs slowly for training, in one table, registered
// explicitly by initBackend (never on import). Conv2DBackpropFilter is required (the package has
// none); the others replace slow package kernels and can be switched off to compare (bench/train.ts).
import * as tf from '@tensorflow/tfjs';
import { batchMatMul } from './batch-mat-mul.js';
import { conv2D } from './conv2d.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { identity } from './identity.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { meanGradConfig } from './mean-gradient.js';
import { meanLeading, sumLeading } from './reduce-leading.js';
import { slice } from './slice.js';
import { tile } from './tile.js';
import { type WasmKernelFunc, originalWasmKernel } from './wasm-heap.js';

/** Kernel name -> our implementation, alphabetical. */
export const WASM_TRAINING_KERNELS: ReadonlyMap<string, WasmKernelFunc> = new Map<string, WasmKernelFunc>([
  ['BatchMatMul', batchMatMul],
  ['Conv2D', conv2D],
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['Conv2DBackpropInput', conv2DBackpropInput],
  ['Identity', identity],
  ['MaxPoolGrad', maxPoolGrad],
  ['Mean', meanLeading],
  ['Slice', slice],
  ['Sum', sumLeading],
  ['Tile', tile],
]);

/** Kernels training cannot run without on wasm; always registered. */
export const REQUIRED_WASM_KERNELS: readonly string[] = Object.freeze(['Conv2DBackpropFilter']);

/**
 * Registers our kernels for the 'wasm' backend (call after it is ready): the required ones plus
 * `speedups` (default: all of them). Kernels not listed get the package's own back. Idempotent.
 */
export function registerWasmTrainingKernels(speedups: readonly string[] = [...WASM_TRAINING_KERNELS.keys()]): void {
  for (const name of speedups) {
    if (!WASM_TRAINING_KERNELS.has(name)) {
      throw new Error(`train/kernels: unknown wasm kernel "${name}"; valid: ${[...WASM_TRAINING_KERNELS.keys()].join(', ')}`);
    }
  }
  for (const [name, fn] of WASM_TRAINING_KERNELS) {
    const wanted = REQUIRED_WASM_KERNELS.includes(name) || speedups.includes(name);
    const current = tf.getKernel(name, 'wasm')?.kernelFunc as unknown;
    if (wanted === (current === fn)) continue;
    if (current !== undefined) {
      if (wanted) originalWasmKernel(name); // remember the package's kernel before replacing it
      tf.unregisterKernel(name, 'wasm');
    }
    const kernelFunc = (wanted ? fn : originalWasmKernel(name)) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  // Mean's speedup includes its gradient (mean-gradient.ts). Gradients are not per backend, but ours
  // gives the package's bits on every backend, so the switch only changes speed.
  packageMeanGrad ??= tf.getGradient('Mean');
  const meanGrad = speedups.includes('Mean') ? meanGradConfig : packageMeanGrad;
  if (meanGrad && tf.getGradient('Mean') !== meanGrad) tf.registerGradient(meanGrad);
}

/** TF.js's own gradient for Mean, kept the first time ours replaces it. */
let packageMeanGrad: tf.GradConfig | undefined;
