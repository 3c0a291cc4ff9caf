// The runtimes parity compares, as one ordered table: each takes the same packed beats and returns
// [n, K] probabilities plus the time spent classifying (model loading excluded).
import { type ModelMetadata, packBeats } from '@ecg-onnx/core';
import { inspectWebGpuEnvironment, load as loadNode, VULKAN_INSTALL_HINT, webGpuMissing } from '@ecg-onnx/runtime-node';
import { load as loadWeb } from '@ecg-onnx/runtime-web';
import { startWebServer } from '@ecg-onnx/web-app';
import { chromiumAvailable, CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, launchChromium, openPage } from './chromium.js';
import { uploadBatch } from './page-driver.js';

export interface ParityInput {
  onnx: Uint8Array;
  metadata: ModelMetadata;
  beats: Float32Array[];
  labels: string[];
  log: (line: string) => void;
}

export interface RuntimeOutput {
  probabilities: Float32Array;
  timeMs: number;
  /** Execution provider actually used (e.g. "cpu", "wasm", "webgpu"). */
  provider: string;
  note?: string;
}

export interface ParityRuntime {
  name: string;
  /** undefined when it can run here, else why not (the row says so instead of failing). */
  unavailable(): string | undefined;
  run(input: ParityInput): Promise<RuntimeOutput>;
}

function flatten(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

/** onnxruntime-node devices a parity row can run on, in row order. */
export const PARITY_NODE_DEVICES = Object.freeze(['cpu', 'cuda', 'webgpu'] as const);
export type ParityNodeDevice = (typeof PARITY_NODE_DEVICES)[number];

const NODE_ROW_NAMES: Readonly<Record<ParityNodeDevice, string>> = Object.freeze({ cpu: 'onnxruntime-node CPU', cuda: 'onnxruntime-node CUDA', webgpu: 'onnxruntime-node WebGPU' });

function nodeRuntime(device: ParityNodeDevice): ParityRuntime {
  return {
    name: NODE_ROW_NAMES[device],
    // WebGPU without a Vulkan loader or driver is a skipped row (most machines); CUDA asked for and missing is an error.
    unavailable: () => {
      const missing = device === 'webgpu' ? webGpuMissing(inspectWebGpuEnvironment()) : undefined;
      return missing && `${missing}; ${VULKAN_INSTALL_HINT}`;
    },
    async run({ onnx, beats }) {
      const c = await loadNode(onnx, { device });
      try {
        const [preds, timeMs] = await timed(() => c.classify(beats));
        const note = c.providerNote?.startsWith('software Vulkan driver') ? 'software GPU (SwiftShader/lavapipe): correctness, not speed' : undefined;
        return { probabilities: flatten(preds.map((p) => p.probabilities)), timeMs, provider: c.provider, note };
      } finally {
        await c.dispose();
      }
    },
  };
}

const webWasmInNode: ParityRuntime = {
  name: 'onnxruntime-web WASM (Node)',
  unavailable: () => undefined,
  async run({ onnx, beats }) {
    const c = await loadWeb(onnx, { provider: 'wasm', numThreads: 1 });
    try {
      const [preds, timeMs] = await timed(() => c.classify(beats));
      return { probabilities: flatten(preds.map((p) => p.probabilities)), timeMs, provider: c.provider };
    } finally {
      await c.dispose();
    }
  },
};

function toTsv(beats: Float32Array[], labels: string[]): string {
  return beats.map((b, i) => [labels[i], ...Array.from(b, String)].join('\t')).join('\n') + '\n';
}

function chromiumRuntime(provider: 'wasm' | 'webgpu'): ParityRuntime {
  return {
    name: provider === 'wasm' ? 'Chromium WASM' : 'Chromium WebGPU (SwiftShader)',
    unavailable: () => (chromiumAvailable() ? undefined : `no Chromium at ${CHROMIUM_PATH}; install it with: ${CHROMIUM_INSTALL_HINT}`),
    async run({ onnx, beats, labels }) {
      const server = await startWebServer({ model: onnx });
      const browser = await launchChromium(provider);
      try {
        const opened = await openPage(browser, server.url, provider);
        const shown = (await opened.page.textContent('[data-testid="provider"]')) ?? '';
        const result = await uploadBatch(opened.page, toTsv(beats, labels));
        if (opened.foreignRequests.length) throw new Error(`the page requested off-origin URLs: ${opened.foreignRequests.join(', ')}`);
        return {
          probabilities: flatten(result.probabilities),
          timeMs: result.inferenceMs,
          provider: shown,
          note: `page load to first prediction ${opened.firstPredictionMs} ms`,
        };
      } finally {
        await browser.close();
        await server.close();
      }
    },
  };
}

/** The runtimes compared against TF.js, in report order, with one onnxruntime-node row per device. */
export function parityRuntimes(devices: readonly ParityNodeDevice[] = DEFAULT_PARITY_DEVICES): readonly ParityRuntime[] {
  const nodeRows = PARITY_NODE_DEVICES.filter((d) => devices.includes(d)).map(nodeRuntime);
  return Object.freeze([...nodeRows, webWasmInNode, chromiumRuntime('wasm'), chromiumRuntime('webgpu')]);
}

/** CUDA only when asked for: without its download it cannot run, and that is no parity finding. */
export const DEFAULT_PARITY_DEVICES: readonly ParityNodeDevice[] = Object.freeze(['cpu', 'webgpu']);

/** Every runtime compared against TF.js by default, in report order. */
export const PARITY_RUNTIMES: readonly ParityRuntime[] = parityRuntimes();

