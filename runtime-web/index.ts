// @ecg-onnx/runtime-web: the shared Classifier contract (@ecg-onnx/core) on onnxruntime-web.
// The provider is chosen first (WebGPU when navigator.gpu hands out an adapter, else WASM), then the
// smallest onnxruntime-web build that runs it (ort-build.ts), so a page without a GPU downloads the
// 14 MB plain WASM binary instead of the 27 MB WebGPU one, and the model download overlaps both. In
// Node (no WebGPU; numThreads 1, model bytes) every build name resolves to the package's Node build,
// the plain WASM binary: the WebGPU build's asyncify-instrumented WASM ran 2.8x slower at batch 1 and
// 5x at batch 32 under Node 20. Threads: in a cross-origin isolated page (COOP/COEP headers) the WASM
// kernels use one thread per logical core up to 4; elsewhere one (SharedArrayBuffer is unavailable).
import type * as Ort from 'onnxruntime-web';
import { classifyInBatches, DeviceUnavailableError, InvalidInputError, ModelFormatError, readModelMetadata, type Beat, type Classifier, type Prediction } from '@ecg-onnx/core';
import { chooseOrtBuild, detectOrtFeatures, importOrtBuild, type OrtBuild, type OrtFeatures } from './ort-build.js';
import { selectWebProviders, type ProviderProbe, type WebProvider, type WebProviderRequest } from './provider.js';

export { WEB_PROVIDERS, selectWebProviders, probeProvider, type ProviderProbe, type WebProvider, type WebProviderRequest } from './provider.js';
export { ORT_BUILDS, ORT_BUILD_FILES, chooseOrtBuild, detectOrtFeatures, type BuildChoice, type OrtBuild, type OrtFeatures } from './ort-build.js';
export { readModelMetadata, type Beat, type Classifier, type ModelMetadata, type Prediction } from '@ecg-onnx/core';

export interface WebLoadOptions {
  /** 'auto' (default): WebGPU when an adapter exists, else WASM. A named provider is forced. */
  provider?: WebProviderRequest;
  /** WASM threads; default 1 in Node (threads there need workers ORT cannot start); in a browser one per
   * logical core up to 4 when the page is cross-origin isolated, else 1. Fixed by the first load of a page. */
  numThreads?: number;
  /** Forces an onnxruntime-web build (default: the smallest for the provider; see ort-build.ts). */
  ortBuild?: OrtBuild;
  /** Where the ort-wasm-*.{mjs,wasm} files are served (a URL prefix ending in '/'); default: ORT's own lookup. */
  wasmPaths?: string;
  /** Largest batch per session run; bigger inputs are split (results keep input order). Default 256. */
  maxBatch?: number;
  /** Replaces the WebGPU availability check (tests). */
  probe?: ProviderProbe;
  /** Replaces the browser feature detection behind the build choice (tests). */
  features?: OrtFeatures;
}

export interface WebClassifier extends Classifier {
  readonly provider: WebProvider;
  /** Providers skipped before this one, with the reason (e.g. webgpu: 'navigator.gpu is missing'). */
  readonly skipped: Partial<Record<WebProvider, string>>;
  /** The onnxruntime-web build in use ('node' in Node, whatever was asked). */
  readonly ortBuild: OrtBuild | 'node';
  /** WASM threads onnxruntime-web actually runs (1 unless the page is cross-origin isolated). */
  readonly numThreads: number;
  /** Milliseconds from the start of load() until each step had finished (steps overlap: the model downloads meanwhile). */
  readonly timings: { modelBytes: number; runtimeModule: number; session: number };
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Threads for a browser page: every logical core up to 4 when SharedArrayBuffer is allowed, else 1. */
function defaultBrowserThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(4, cores)) : 1;
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
  // The model downloads while the provider is probed and the runtime's JS module loads.
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const timings = { modelBytes: 0, runtimeModule: 0, session: 0 };
  const modelBytes = (typeof model === 'string' ? fetchModel(model) : Promise.resolve(model instanceof Uint8Array ? model : new Uint8Array(model))).then((b) => {
    timings.modelBytes = since();
    return b;
  });
  modelBytes.catch(() => {}); // awaited below; a failure must not surface as unhandled meanwhile
  const choice = await selectWebProviders(options.provider ?? 'auto', options.probe);
  const build = chooseOrtBuild(choice.candidates, options.features ?? detectOrtFeatures(), options.ortBuild);
  const ort = await importOrtBuild(build.build);
  timings.runtimeModule = since();
  const numThreads = options.numThreads ?? (isNode ? 1 : defaultBrowserThreads());
  ort.env.wasm.numThreads = numThreads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const bytes = await modelBytes;
  const metadata = readModelMetadata(bytes, source);
  const skipped = { ...choice.skipped, ...build.dropped };
  let session: Ort.InferenceSession | undefined;
  let provider: WebProvider | undefined;
  const failures: string[] = [];
  for (const candidate of build.candidates) {
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
    if (build.candidates.every((c) => c === 'webgpu')) {
      throw new DeviceUnavailableError(`provider "webgpu" could not start a session (${failures.join('; ')}). Use provider "wasm" or "auto".`);
    }
    throw new ModelFormatError(`${source}: onnxruntime-web could not load the model (${failures.join('; ')})`);
  }
  timings.session = since();
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
    ortBuild: isNode ? 'node' : build.build,
    numThreads: ort.env.wasm.numThreads ?? numThreads,
    timings,
    classify: (beats: Beat[]): Promise<Prediction[]> => classifyInBatches(beats, metadata, maxBatch, run),
    dispose: () => live.release(),
  };
}
