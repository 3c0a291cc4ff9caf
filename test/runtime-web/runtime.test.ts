// The web runtime in Node (onnxruntime-web's WASM provider, numThreads 1): answers against a float64
// recomputation of a tiny real ONNX model, batching and order, validation, provider choice, errors.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceUnavailableError, InvalidInputError, ModelFormatError } from '../../core/errors.js';
import { chooseOrtBuild, load, ORT_BUILDS, selectWebProviders, WEB_PROVIDERS } from '../../runtime-web/index.js';
import { startWebServer } from '../../runtime-web/page/server.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from '../runtime-node/tiny-onnx.js';

const tiny = tinyOnnxModel();
const width = tiny.inputLength * tiny.channels;

describe('load + classify (onnxruntime-web WASM in Node)', () => {
  it('matches the float64 answer, keeps order across batches and reports wasm', async () => {
    const c = await load(tiny.bytes, { maxBatch: 3 });
    try {
      expect(c.provider).toBe('wasm');
      expect(c.skipped.webgpu).toMatch(/navigator\.gpu/);
      expect(c.ortBuild).toBe('node');
      expect(c.numThreads).toBe(1);
      expect(c.timings.session).toBeGreaterThanOrEqual(c.timings.runtimeModule);
      expect(c.metadata.classes).toEqual(tiny.classes);
      const beats = randomBeats(7, width, 3);
      const preds = await c.classify(beats);
      expect(preds).toHaveLength(7);
      preds.forEach((p, i) => {
        const want = tiny.expected(beats[i]!);
        assertClose(p.probabilities, want, TOLERANCES.onnxAbs, `beat ${i}`);
        const best = want.indexOf(Math.max(...want));
        expect(p.classIndex).toBe(best);
        expect(p.label).toBe(tiny.classes[best]!.label);
        expect(p.name).toBe(tiny.classes[best]!.name);
      });
      // Same beats one by one give the same rows: batching does not mix beats up.
      const single = await c.classify([beats[5]!]);
      assertClose(single[0]!.probabilities, preds[5]!.probabilities, 1e-7, 'beat 5 alone');
    } finally {
      await c.dispose();
    }
  });

  it('rejects bad beats with the index of the first bad one, before running the session', async () => {
    const c = await load(tiny.bytes.buffer.slice(tiny.bytes.byteOffset, tiny.bytes.byteOffset + tiny.bytes.byteLength) as ArrayBuffer);
    try {
      await expect(c.classify([])).rejects.toThrow(InvalidInputError);
      await expect(c.classify([])).rejects.toThrow(/empty batch/);
      const good = randomBeats(1, width)[0]!;
      await expect(c.classify([good, good.subarray(1)])).rejects.toThrow(new RegExp(`beat 1: expected ${width} values`));
      const nan = Float32Array.from(good);
      nan[4] = NaN;
      await expect(c.classify([good, good, nan])).rejects.toThrow(/beat 2: value 4 is NaN/);
      await expect(c.classify([Array.from(good, (v, i) => (i === 2 ? ('x' as unknown as number) : v))])).rejects.toThrow(/beat 0: value 2 is string/);
    } finally {
      await c.dispose();
    }
  });

  it('fails clearly for a forced provider that cannot run, an unknown provider, and bad model bytes', async () => {
    await expect(load(tiny.bytes, { provider: 'webgpu' })).rejects.toThrow(DeviceUnavailableError);
    await expect(load(tiny.bytes, { provider: 'webgpu' })).rejects.toThrow(/provider "webgpu" is not available \(webgpu: navigator\.gpu is missing/);
    await expect(load(tiny.bytes, { provider: 'cuda' as never })).rejects.toThrow(/unknown provider "cuda"; valid providers: auto, webgpu, wasm/);
    await expect(load(tinyOnnxModel({ metadata: false }).bytes)).rejects.toThrow(ModelFormatError);
    await expect(load(new Uint8Array([1, 2, 3]))).rejects.toThrow(ModelFormatError);
    await expect(load(tiny.bytes, { maxBatch: 0 })).rejects.toThrow(/maxBatch must be a positive integer/);
  });
});

describe('load from a URL', () => {
  it('fetches the model over HTTP, and names the URL when it cannot', async () => {
    const server = await startWebServer({ distDir: await mkdtemp(join(tmpdir(), 'ecg-empty-dist-')), model: tiny.bytes });
    try {
      const c = await load(new URL('model.onnx', server.url).href);
      const beat = randomBeats(1, width, 9)[0]!;
      assertClose((await c.classify([beat]))[0]!.probabilities, tiny.expected(beat), TOLERANCES.onnxAbs, 'fetched model');
      await c.dispose();
      const missing = new URL('missing.onnx', server.url).href;
      await expect(load(missing)).rejects.toThrow(`could not fetch the model from ${missing}: HTTP 404`);
    } finally {
      await server.close();
    }
  });
});

describe('selectWebProviders', () => {
  const gpuOk = async () => undefined;
  const noGpu = async (p: string) => (p === 'webgpu' ? 'no adapter' : undefined);

  it('prefers webgpu, then wasm, in one frozen list', async () => {
    expect(WEB_PROVIDERS).toEqual(['webgpu', 'wasm']);
    expect(Object.isFrozen(WEB_PROVIDERS)).toBe(true);
    expect(await selectWebProviders('auto', gpuOk)).toEqual({ candidates: ['webgpu', 'wasm'], skipped: {} });
    expect(await selectWebProviders(undefined, noGpu)).toEqual({ candidates: ['wasm'], skipped: { webgpu: 'no adapter' } });
  });

  it('honours a forced provider and says why it cannot run', async () => {
    expect((await selectWebProviders('wasm', gpuOk)).candidates).toEqual(['wasm']);
    expect((await selectWebProviders('webgpu', gpuOk)).candidates).toEqual(['webgpu']);
    await expect(selectWebProviders('webgpu', noGpu)).rejects.toThrow(/webgpu: no adapter.*--enable-unsafe-webgpu/);
  });
});

describe('chooseOrtBuild: the smallest onnxruntime-web build for the provider', () => {
  const jspi = { jspi: true };
  const noJspi = { jspi: false };
  it('plain WASM without a WebGPU candidate; JSPI for WebGPU where the browser has it, else asyncify', () => {
    expect(ORT_BUILDS).toEqual(['wasm', 'jspi', 'asyncify']);
    expect(chooseOrtBuild(['wasm'], jspi)).toEqual({ build: 'wasm', candidates: ['wasm'], dropped: {} });
    expect(chooseOrtBuild(['webgpu', 'wasm'], jspi)).toEqual({ build: 'jspi', candidates: ['webgpu', 'wasm'], dropped: {} });
    expect(chooseOrtBuild(['webgpu', 'wasm'], noJspi)).toEqual({ build: 'asyncify', candidates: ['webgpu', 'wasm'], dropped: {} });
    expect(chooseOrtBuild(['webgpu'], noJspi).build).toBe('asyncify');
  });
  it('a forced build wins; the plain one drops WebGPU (it has none) and says so', () => {
    expect(chooseOrtBuild(['wasm'], jspi, 'asyncify').build).toBe('asyncify');
    expect(chooseOrtBuild(['webgpu', 'wasm'], jspi, 'wasm')).toEqual({ build: 'wasm', candidates: ['wasm'], dropped: { webgpu: 'the plain WASM build was requested, which has no WebGPU' } });
    expect(() => chooseOrtBuild(['webgpu'], jspi, 'wasm')).toThrow(/provider "webgpu" needs a WebGPU build/);
    expect(() => chooseOrtBuild(['wasm'], noJspi, 'jspi')).toThrow(/JSPI build needs WebAssembly\.Suspending/);
    expect(() => chooseOrtBuild(['wasm'], jspi, 'jsep')).toThrow(DeviceUnavailableError);
    expect(() => chooseOrtBuild(['wasm'], jspi, 'jsep')).toThrow('unknown onnxruntime-web build "jsep"; valid builds: wasm, jspi, asyncify');
  });
});
