// @ecg-onnx/runtime-web: the shared Classifier contract (@ecg-onnx/core) on onnxruntime-web.
// In browsers it uses the 'onnxruntime-web/webgpu' build (1.30: the native WebGPU EP, which has a GRU
// kernel for sigmoid/tanh; anything it lacks runs on the CPU kernels of the same WASM binary), which also
// runs the plain WASM provider. In Node (no WebGPU; numThreads 1, model bytes) it loads the package's Node
// build, the plain WASM binary: the WebGPU build's asyncify-instrumented WASM ran 2.8x slower at batch 1
// and 5x at batch 32 under Node 20 (0.80 vs 0.29 ms, 36 vs 6.9 ms), while in Chromium both builds time
// the same. The choice is made when the module is resolved (package.json "imports": #ort is
// onnxruntime-web under the "node" condition, onnxruntime-web/webgpu otherwise), so a bundler never puts
// the Node build (and its second 28 MB .wasm) into a page.
import type * as Ort from 'onnxruntime-web';
import { classifyInBatches, DeviceUnavailableError, InvalidInputError, ModelFormatError, readModelMetadata, type Beat, type Classifier, type Prediction } from '@ecg-onnx/core';
import { selectWebProviders, type ProviderProbe, type WebProvider, type WebProviderRequest } from './provider.js';

export { WEB_PROVIDERS, selectWebProviders, probeProvider, type ProviderProbe, type WebProvider, type WebProviderRequest } from './provider.js';
export { readModelMetadata, type Beat, type Classifier, type ModelMetadata, type Prediction } from '@ecg-onnx/core';

export interface WebLoadOptions {
  /** 'auto' (default): WebGPU when an adapter exists, else WASM. A named provider is forced. */
  provider?: WebProviderRequest;
  /** WASM threads; default 1 in Node (threads there need workers ORT cannot start), ORT's default in browsers. */
  numThreads?: number;
  /** Where the ort-wasm-*.{mjs,wasm} files are served (a URL prefix ending in '/'); default: ORT's own lookup. */
  wasmPaths?: string;
  /** Largest batch per session run; bigger inputs are split (results keep input order). Default 256. */
  maxBatch?: number;
  /** Replaces the WebGPU availability check (tests). */
  probe?: ProviderProbe;
}

export interface WebClassifier extends Classifier {
  readonly provider: WebProvider;
  /** Providers skipped before this one, with the reason (e.g. webgpu: 'navigator.gpu is missing'). */
  readonly skipped: Partial<Record<WebProvider, string>>;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

let ortModule: Promise<typeof Ort> | undefined;
/** The onnxruntime-web build for this environment (see the header), imported once. */
function loadOrt(): Promise<typeof Ort> {
  // @ts-expect-error onnxruntime-web types itself with an ambient `declare module`, which "#ort" cannot name.
  return (ortModule ??= import('#ort') as Promise<typeof Ort>);
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelFormatError(`could not fetch the model from ${url}: ${(e as Error).message}. In Node, read the file and pass its bytes.`);
  }
  if (!response.ok) throw new ModelFormatError(`could not fetch the model from ${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Loads an exported .onnx (bytes or a URL) and returns a classifier on the chosen provider. */
export async function load(model: Uint8Array | ArrayBuffer | string, options: WebLoadOptions = {}): Promise<WebClassifier> {
  const source = typeof model === 'string' ? model : 'model bytes';
  const maxBatch = options.maxBatch ?? 256;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidInputError(undefined, `option maxBatch must be a positive integer, got ${maxBatch}`);
  const bytes = typeof model === 'string' ? await fetchModel(model) : model instanceof Uint8Array ? model : new Uint8Array(model);
  const metadata = readModelMetadata(bytes, source);
  const ort = await loadOrt();
  const numThreads = options.numThreads ?? (isNode ? 1 : undefined);
  if (numThreads !== undefined) ort.env.wasm.numThreads = numThreads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const choice = await selectWebProviders(options.provider ?? 'auto', options.probe);
  const skipped = { ...choice.skipped };
  let session: Ort.InferenceSession | undefined;
  let provider: WebProvider | undefined;
  const failures: string[] = [];
  for (const candidate of choice.candidates) {
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: [candidate], graphOptimizationLevel: 'all' });
      provider = candidate;
      break;
    } catch (e) {
      failures.push(`${candidate}: ${(e as Error).message}`);
      skipped[candidate] = `session creation failed: ${(e as Error).message}`;
    }
  }
  if (!session || !provider) {
    if (choice.candidates.every((c) => c === 'webgpu')) {
      throw new DeviceUnavailableError(`provider "webgpu" could not start a session (${failures.join('; ')}). Use provider "wasm" or "auto".`);
    }
    throw new ModelFormatError(`${source}: onnxruntime-web could not load the model (${failures.join('; ')})`);
  }
  const live = session;
  if (!live.inputNames.includes(metadata.inputName) || !live.outputNames.includes(metadata.outputName)) {
    await live.release();
    throw new ModelFormatError(
      `${source}: expected graph input "${metadata.inputName}" and output "${metadata.outputName}", found inputs [${live.inputNames.join(', ')}] and outputs [${live.outputNames.join(', ')}]; re-export it with "ecg export"`,
    );
  }
  const dims = (n: number) => [n, metadata.inputLength, metadata.channels];
  const run = async (packed: Float32Array, n: number): Promise<Float32Array> => {
    const input = new ort.Tensor('float32', packed, dims(n));
    const out = await live.run({ [metadata.inputName]: input });
    const probs = out[metadata.outputName];
    if (!probs) throw new ModelFormatError(`${source}: the model has no output "${metadata.outputName}"`);
    return probs.data as Float32Array;
  };
  return {
    metadata,
    provider,
    skipped,
    classify: (beats: Beat[]): Promise<Prediction[]> => classifyInBatches(beats, metadata, maxBatch, run),
    dispose: () => live.release(),
  };
}
