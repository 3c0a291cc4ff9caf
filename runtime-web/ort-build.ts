// Which onnxruntime-web build a page loads, decided after provider detection and before any large
// download. Each build is a small JS module that fetches one WASM binary at session creation, so
// picking the module picks the download (1.30: plain 14.2 MB, JSPI 16.8 MB, asyncify 26.8 MB):
//   wasm     - ort.wasm: the CPU kernels only; enough when there is no WebGPU adapter.
//   jspi     - ort.jspi: the WebGPU EP with the WASM CPU kernels, async calls through JS Promise
//              Integration (WebAssembly.Suspending; Chromium 137+). Smallest WebGPU-capable build.
//   asyncify - ort.webgpu: the same EP, async calls through Asyncify instrumentation (any WebGPU browser).
// In Node every name resolves to the package's Node build (package.json "imports", "node" condition).
import type * as Ort from 'onnxruntime-web';
import { DeviceUnavailableError } from '@ecg-onnx/core';
import type { WebProvider } from './provider.js';

export const ORT_BUILDS = Object.freeze(['wasm', 'jspi', 'asyncify'] as const);
export type OrtBuild = (typeof ORT_BUILDS)[number];

/** The files each build fetches from env.wasm.wasmPaths at run time: serve these beside the page. */
export const ORT_BUILD_FILES: Readonly<Record<OrtBuild, readonly string[]>> = Object.freeze({
  wasm: Object.freeze(['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']),
  jspi: Object.freeze(['ort-wasm-simd-threaded.jspi.mjs', 'ort-wasm-simd-threaded.jspi.wasm']),
  asyncify: Object.freeze(['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']),
});

/** What the build choice depends on, detected by `detectOrtFeatures` (injectable for tests). */
export interface OrtFeatures {
  /** WebAssembly JS Promise Integration (WebAssembly.Suspending). */
  jspi: boolean;
}

export function detectOrtFeatures(): OrtFeatures {
  return { jspi: typeof WebAssembly === 'object' && 'Suspending' in WebAssembly };
}

export interface BuildChoice {
  build: OrtBuild;
  /** The providers left to try with that build (the plain build has no WebGPU). */
  candidates: WebProvider[];
  /** Providers dropped by the choice, with the reason. */
  dropped: Partial<Record<WebProvider, string>>;
}

/** Smallest build that runs the first candidate; `forced` (e.g. the page's ?ort=) overrides it. */
export function chooseOrtBuild(candidates: readonly WebProvider[], features: OrtFeatures, forced?: string): BuildChoice {
  if (forced !== undefined && !(ORT_BUILDS as readonly string[]).includes(forced)) {
    throw new DeviceUnavailableError(`unknown onnxruntime-web build "${forced}"; valid builds: ${ORT_BUILDS.join(', ')}`);
  }
  if (forced === 'jspi' && !features.jspi) {
    throw new DeviceUnavailableError('the JSPI build needs WebAssembly.Suspending, which this browser lacks; use build "asyncify" or let the runtime choose');
  }
  const wantsGpu = candidates[0] === 'webgpu';
  const build = (forced as OrtBuild | undefined) ?? (!wantsGpu ? 'wasm' : features.jspi ? 'jspi' : 'asyncify');
  if (build !== 'wasm' || !candidates.includes('webgpu')) return { build, candidates: [...candidates], dropped: {} };
  const left = candidates.filter((c) => c !== 'webgpu');
  if (left.length === 0) throw new DeviceUnavailableError('provider "webgpu" needs a WebGPU build of onnxruntime-web, not "wasm"; use build "jspi" or "asyncify"');
  return { build, candidates: left, dropped: { webgpu: 'the plain WASM build was requested, which has no WebGPU' } };
}

const modules = new Map<OrtBuild, Promise<typeof Ort>>();

/** Imports a build once per page; the import itself downloads only its small JS module. */
export function importOrtBuild(build: OrtBuild): Promise<typeof Ort> {
  let pending = modules.get(build);
  if (!pending) {
    // @ts-expect-error onnxruntime-web types itself with an ambient `declare module`, which "#ort-*" cannot name.
    const imports: Record<OrtBuild, () => Promise<typeof Ort>> = { wasm: () => import('#ort-wasm'), jspi: () => import('#ort-jspi'), asyncify: () => import('#ort-asyncify') };
    pending = imports[build]();
    modules.set(build, pending);
  }
  return pending;
}
