// Chooses and starts the TF.js backend for training: tfjs-node where it is installed (native
// TensorFlow, fastest), else WASM (our extra kernels make it train), or the pure-JS CPU backend.
// Kernel registration is explicit here, never an import side effect.
import * as tf from '@tensorflow/tfjs';
import { DeviceUnavailableError } from '@ecg-onnx/core';
import { registerWasmTrainingKernels } from './kernels/index.js';

export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['auto', 'node', 'wasm', 'cpu']);

/** Asked-for backend that cannot be started (tfjs-node not installed, WASM failed to load). */
export class BackendUnavailableError extends DeviceUnavailableError {}

const TFJS_NODE = '@tensorflow/tfjs-node';

/** The optional dependency (see optional-modules.d.ts); its error when it is missing or broken. */
async function loadTfjsNode(): Promise<unknown> {
  try {
    return await import('@tensorflow/tfjs-node');
  } catch (cause) {
    return cause;
  }
}

async function startNode(required: boolean): Promise<boolean> {
  const loaded = await loadTfjsNode();
  if (loaded instanceof Error) {
    if (!required) return false;
    throw new BackendUnavailableError(
      `--backend node: ${TFJS_NODE} could not be loaded (${loaded.message.split('\n')[0]}). ` +
        `Install it with \`npm install ${TFJS_NODE}@4.22.0\` (it downloads libtensorflow), or use --backend wasm.`,
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    if (!required) return false;
    throw new BackendUnavailableError(`--backend node: ${TFJS_NODE} loaded but its 'tensorflow' backend did not start; use --backend wasm`);
  }
  return true;
}

async function startWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm'); // registers the 'wasm' backend factory
  if (!(await tf.setBackend('wasm'))) {
    throw new BackendUnavailableError('--backend wasm: the WASM backend failed to initialise; try --backend cpu');
  }
  registerWasmTrainingKernels();
}

/**
 * Starts the named backend and returns the one in use: 'node' (tfjs-node), 'wasm' or 'cpu'.
 * 'auto' prefers tfjs-node when it loads, else wasm.
 */
export async function initBackend(name: BackendName): Promise<Exclude<BackendName, 'auto'>> {
  switch (name) {
    case 'auto':
      if (await startNode(false)) return 'node';
      await startWasm();
      return 'wasm';
    case 'node':
      await startNode(true);
      return 'node';
    case 'wasm':
      await startWasm();
      return 'wasm';
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError('--backend cpu: the CPU backend did not start');
      return 'cpu';
    default:
      throw new BackendUnavailableError(`--backend "${String(name)}" is not a backend; use one of ${BACKEND_NAMES.join(', ')}`);
  }
}
