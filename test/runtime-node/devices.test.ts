// Device choice: the frozen table, 'auto' falling back from CUDA to CPU with the real onnxruntime-node
// library (which has no CUDA libraries on CI), and simulated CUDA / GPU / software-GPU machines through
// the factory hook and an injected Vulkan environment.
import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DeviceUnavailableError, ModelFormatError } from '../../core/errors.js';
import { CUDA_INSTALL_HINT, DEVICE_PROVIDERS, describeProviderChoice, hasHardwareAdapter, inspectWebGpuEnvironment, load, selectExecutionProviders, VULKAN_INSTALL_HINT, type SessionFactory, type WebGpuEnvironment } from '../../runtime-node/index.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 11 });

/** Records which providers were asked for; `working` providers open a real CPU session, others throw. */
function simulatedMachine(working: string[]): { factory: SessionFactory; asked: string[][] } {
  const asked: string[][] = [];
  const factory: SessionFactory = async (model, options) => {
    const providers = (options.executionProviders ?? []) as string[];
    asked.push(providers);
    if (!providers.every((p) => working.includes(p))) throw new Error(`\x1b[1;31mFailed to load ${providers.join()} library\x1b[m\nsecond line`);
    return InferenceSession.create(model, { ...options, executionProviders: ['cpu'] });
  };
  return { factory, asked };
}

describe('selectExecutionProviders', () => {
  it('maps each device to its ordered providers, and the table is frozen', () => {
    expect(selectExecutionProviders('auto')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(selectExecutionProviders('cpu')).toEqual(['cpu']);
    expect(selectExecutionProviders('cuda')).toEqual(['cuda']);
    expect(selectExecutionProviders('webgpu')).toEqual(['webgpu']);
    expect(Object.isFrozen(DEVICE_PROVIDERS)).toBe(true);
    expect(Object.isFrozen(DEVICE_PROVIDERS.auto)).toBe(true);
  });
  it('an unknown device lists the valid ones', () => {
    expect(() => selectExecutionProviders('gpu')).toThrow(DeviceUnavailableError);
    expect(() => selectExecutionProviders('gpu')).toThrow('unknown device "gpu"; valid devices: auto, cpu, cuda, webgpu');
    expect(() => selectExecutionProviders('toString')).toThrow(/unknown device "toString"/);
  });
});

describe('the real onnxruntime-node library', () => {
  it("'auto' runs on CUDA when its libraries load, else on CPU with the CUDA failure and the WebGPU skip recorded", async () => {
    const clf = await load(tiny.bytes, { device: 'auto' });
    if (clf.provider === 'cuda') {
      expect(clf.providerFailures).toEqual([]);
    } else if (!hasHardwareAdapter(inspectWebGpuEnvironment())) {
      expect(clf.provider).toBe('cpu');
      expect(clf.providerFailures.map((f) => f.provider)).toEqual(['cuda', 'webgpu']);
      expect(clf.providerFailures[1]!.skipped).toBe(true);
      expect(clf.providerFailures[0]!.message.length).toBeGreaterThan(0);
      expect(clf.providerFailures[0]!.message).not.toMatch(/\x1b|\n/);
    } else {
      expect(['webgpu', 'cpu']).toContain(clf.provider); // a GPU machine: webgpu, unless Dawn rejects its driver
    }
    const beats = randomBeats(4, 140, 5);
    (await clf.classify(beats)).forEach((p, i) => assertClose(p.probabilities, tiny.expected(beats[i]!), TOLERANCES.onnxAbs));
    await clf.dispose();
  });

  it("'cuda' either runs on CUDA or fails saying how to install the CUDA provider", async () => {
    const result = await load(tiny.bytes, { device: 'cuda' }).catch((e: unknown) => e);
    if (result instanceof Error) {
      expect(result).toBeInstanceOf(DeviceUnavailableError);
      expect(result.message).toMatch(/^device "cuda" is not available: tried cuda \(.+\)\. To use a GPU, install/);
      expect(result.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node');
    } else {
      expect((result as { provider: string }).provider).toBe('cuda');
    }
  });

  it("'cpu' never asks for CUDA", async () => {
    const clf = await load(tiny.bytes, { device: 'cpu' });
    expect(clf.provider).toBe('cpu');
    expect(clf.providerFailures).toEqual([]);
    await clf.dispose();
  });
});

const LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const NVIDIA = { manifest: '/usr/share/vulkan/icd.d/nvidia_icd.json', library: 'libGLX_nvidia.so.0', software: false };
const SWIFTSHADER = { manifest: '/opt/chromium/vk_swiftshader_icd.json', library: '/opt/chromium/libvk_swiftshader.so', software: true };
const machine = (over: Partial<WebGpuEnvironment>): WebGpuEnvironment => ({ platform: 'linux', loader: LOADER, drivers: [NVIDIA], searched: ['/usr/share/vulkan/icd.d'], gpuDevices: ['/dev/nvidia0'], ...over });

describe('simulated machines (factory hook)', () => {
  it('a machine with CUDA: auto picks cuda first and reports it', async () => {
    const m = simulatedMachine(['cuda', 'webgpu', 'cpu']);
    const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory, webgpuEnvironment: machine({}) });
    expect(clf.provider).toBe('cuda');
    expect(m.asked).toEqual([['cuda']]);
  });
  it('a machine without CUDA or a GPU: auto tries cuda then cpu; the failure message is one clean line', async () => {
    const m = simulatedMachine(['cpu']);
    const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory, webgpuEnvironment: machine({ loader: undefined, drivers: [], gpuDevices: [] }) });
    expect(clf.provider).toBe('cpu');
    expect(m.asked).toEqual([['cuda'], ['cpu']]);
    expect(clf.providerFailures).toEqual([
      { provider: 'cuda', message: 'Failed to load cuda library' },
      { provider: 'webgpu', message: 'no Vulkan loader (libvulkan.so.1 not found)', skipped: true },
    ]);
  });
  it('a GPU machine with a Vulkan driver but no CUDA: auto picks webgpu after cuda fails', async () => {
    const m = simulatedMachine(['webgpu', 'cpu']);
    const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory, webgpuEnvironment: machine({}) });
    expect(clf.provider).toBe('webgpu');
    expect(m.asked).toEqual([['cuda'], ['webgpu']]);
    expect(clf.providerNote).toBeUndefined();
    expect(describeProviderChoice({ provider: clf.provider, failures: [...clf.providerFailures] })).toBe('webgpu (cuda unavailable: Failed to load cuda library)');
  });
  it('auto never asks for webgpu on a software-only driver or a driver without a GPU device', async () => {
    const cases: [WebGpuEnvironment, RegExp][] = [
      [machine({ drivers: [SWIFTSHADER] }), /^only a software Vulkan driver \(libvk_swiftshader\.so\), slower than the CPU provider; --device webgpu runs on it anyway$/],
      [machine({ gpuDevices: [] }), /^a Vulkan driver \(libGLX_nvidia\.so\.0\) but no GPU device/],
      [machine({ drivers: [] }), /^no Vulkan driver \(no ICD manifest in \/usr\/share\/vulkan\/icd\.d\)$/],
      [machine({ platform: 'darwin' }), /cannot be checked on darwin/],
    ];
    for (const [environment, reason] of cases) {
      const m = simulatedMachine(['webgpu', 'cpu']);
      const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory, webgpuEnvironment: environment });
      expect(clf.provider).toBe('cpu');
      expect(m.asked).toEqual([['cuda'], ['cpu']]);
      expect(clf.providerFailures[1]!).toMatchObject({ provider: 'webgpu', skipped: true });
      expect(clf.providerFailures[1]!.message).toMatch(reason);
    }
  });
  it("'webgpu' runs on a software driver when asked, and says so", async () => {
    const m = simulatedMachine(['webgpu']);
    const clf = await load(tiny.bytes, { device: 'webgpu', sessionFactory: m.factory, webgpuEnvironment: machine({ drivers: [SWIFTSHADER], gpuDevices: [] }) });
    expect(clf.provider).toBe('webgpu');
    expect(clf.providerNote).toBe('software Vulkan driver /opt/chromium/libvk_swiftshader.so: correct, but slower than the CPU provider');
  });
  it("'webgpu' that cannot start names what is missing and how to install it, and never falls back", async () => {
    const dawn: SessionFactory = async () => {
      throw new Error('/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 lambda adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n');
    };
    const tried = 'device "webgpu" is not available: tried webgpu (Failed to get a WebGPU adapter: No supported adapters).';
    const noLoader = await load(tiny.bytes, { device: 'webgpu', sessionFactory: dawn, webgpuEnvironment: machine({ loader: undefined }) }).catch((e: unknown) => e);
    expect(noLoader).toBeInstanceOf(DeviceUnavailableError);
    expect((noLoader as Error).message).toBe(`${tried} No Vulkan loader (libvulkan.so.1 not found). To use WebGPU, ${VULKAN_INSTALL_HINT}`);
    expect(VULKAN_INSTALL_HINT).toContain('apt-get install libvulkan1');
    const noDriver = await load(tiny.bytes, { device: 'webgpu', sessionFactory: dawn, webgpuEnvironment: machine({ drivers: [] }) }).catch((e: unknown) => e);
    expect((noDriver as Error).message).toBe(`${tried} No Vulkan driver (no ICD manifest in /usr/share/vulkan/icd.d). To use WebGPU, ${VULKAN_INSTALL_HINT}`);
    const rejected = await load(tiny.bytes, { device: 'webgpu', sessionFactory: dawn, webgpuEnvironment: machine({}) }).catch((e: unknown) => e);
    expect((rejected as Error).message).toMatch(/Vulkan drivers found \(\/usr\/share\/vulkan\/icd\.d\/nvidia_icd\.json\) but Dawn accepted no adapter/);
  });
  it("a machine without CUDA: 'cuda' fails with the install hint and never falls back", async () => {
    const m = simulatedMachine(['cpu']);
    const err = await load(tiny.bytes, { device: 'cuda', sessionFactory: m.factory }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    expect((err as Error).message).toBe(`device "cuda" is not available: tried cuda (Failed to load cuda library). To use a GPU, ${CUDA_INSTALL_HINT}`);
    expect(describeProviderChoice({ provider: 'cpu', failures: [{ provider: 'webgpu', message: 'why', skipped: true }], note: 'n' })).toBe('cpu (n; webgpu skipped: why)');
    expect(m.asked).toEqual([['cuda']]);
  });
  it('a model that no provider can load is a model error, not a device error', async () => {
    const m = simulatedMachine([]);
    const err = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory, webgpuEnvironment: machine({}) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toBe('model bytes: onnxruntime cannot load it: Failed to load cpu library; re-export it with "ecg export"');
  });
  it('threads must be a non-negative integer', async () => {
    await expect(load(tiny.bytes, { device: 'cpu', threads: -1 })).rejects.toThrow(/threads must be a non-negative integer, got -1/);
  });
});
