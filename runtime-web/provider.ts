// Execution-provider choice for onnxruntime-web in one small function with one ordered list:
// WebGPU when navigator.gpu hands out an adapter, else WASM. A forced provider that cannot run is an
// error saying what was tried and what is valid (no silent fallback when the user asked for one).
import { DeviceUnavailableError } from '@ecg-onnx/core';

/** Preference order for 'auto': first available wins. */
export const WEB_PROVIDERS = Object.freeze(['webgpu', 'wasm'] as const);
export type WebProvider = (typeof WEB_PROVIDERS)[number];
export type WebProviderRequest = WebProvider | 'auto';

/** Says whether a provider can run here; returns undefined when it can, else the reason it cannot. */
export type ProviderProbe = (provider: WebProvider) => Promise<string | undefined>;

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** The real probe: WASM runs everywhere; WebGPU needs navigator.gpu and an adapter. */
export async function probeProvider(provider: WebProvider): Promise<string | undefined> {
  if (provider === 'wasm') return undefined;
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return 'navigator.gpu is missing (this browser or runtime has no WebGPU)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? undefined : 'navigator.gpu.requestAdapter() returned null (no usable GPU adapter)';
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${(e as Error).message}`;
  }
}

export interface ProviderChoice {
  /** Providers to try, in order (one when forced). */
  candidates: WebProvider[];
  /** Why each skipped provider was skipped, e.g. {webgpu: 'navigator.gpu is missing ...'}. */
  skipped: Partial<Record<WebProvider, string>>;
}

/** Orders the providers to try for a request; throws when a forced one is unknown or unavailable. */
export async function selectWebProviders(requested: string = 'auto', probe: ProviderProbe = probeProvider): Promise<ProviderChoice> {
  const valid = ['auto', ...WEB_PROVIDERS];
  if (!valid.includes(requested)) {
    throw new DeviceUnavailableError(`unknown provider "${requested}"; valid providers: ${valid.join(', ')}`);
  }
  const wanted: readonly WebProvider[] = requested === 'auto' ? WEB_PROVIDERS : [requested as WebProvider];
  const candidates: WebProvider[] = [];
  const skipped: ProviderChoice['skipped'] = {};
  for (const p of wanted) {
    const reason = await probe(p);
    if (reason === undefined) candidates.push(p);
    else skipped[p] = reason;
  }
  if (candidates.length === 0) {
    const tried = Object.entries(skipped).map(([p, why]) => `${p}: ${why}`).join('; ');
    const hint = requested === 'webgpu' ? ' Use provider "wasm" or "auto", or a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu).' : '';
    throw new DeviceUnavailableError(`provider "${requested}" is not available (${tried}).${hint}`);
  }
  return { candidates, skipped };
}
