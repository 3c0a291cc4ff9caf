// Device choice: the frozen table, 'auto' falling back from CUDA to CPU with the real onnxruntime-node
// library (which has no CUDA libraries on CI), and a simulated CUDA machine through the factory hook.
import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DeviceUnavailableError, ModelFormatError } from '../../core/errors.js';
import { CUDA_INSTALL_HINT, DEVICE_PROVIDERS, load, selectExecutionProviders, type SessionFactory } from '../../runtime-node/index.js';
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
    expect(selectExecutionProviders('auto')).toEqual(['cuda', 'cpu']);
    expect(selectExecutionProviders('cpu')).toEqual(['cpu']);
    expect(selectExecutionProviders('cuda')).toEqual(['cuda']);
    expect(Object.isFrozen(DEVICE_PROVIDERS)).toBe(true);
    expect(Object.isFrozen(DEVICE_PROVIDERS.auto)).toBe(true);
  });
  it('an unknown device lists the valid ones', () => {
    expect(() => selectExecutionProviders('gpu')).toThrow(DeviceUnavailableError);
    expect(() => selectExecutionProviders('gpu')).toThrow('unknown device "gpu"; valid devices: auto, cpu, cuda');
    expect(() => selectExecutionProviders('toString')).toThrow(/unknown device "toString"/);
  });
});

describe('the real onnxruntime-node library', () => {
  it("'auto' runs on CUDA when its libraries load, else on CPU with the CUDA failure recorded", async () => {
    const clf = await load(tiny.bytes, { device: 'auto' });
    if (clf.provider === 'cuda') {
      expect(clf.providerFailures).toEqual([]);
    } else {
      expect(clf.provider).toBe('cpu');
      expect(clf.providerFailures.map((f) => f.provider)).toEqual(['cuda']);
      expect(clf.providerFailures[0]!.message.length).toBeGreaterThan(0);
      expect(clf.providerFailures[0]!.message).not.toMatch(/\x1b|\n/);
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

describe('simulated machines (factory hook)', () => {
  it('a machine with CUDA: auto picks cuda first and reports it', async () => {
    const m = simulatedMachine(['cuda', 'cpu']);
    const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory });
    expect(clf.provider).toBe('cuda');
    expect(m.asked).toEqual([['cuda']]);
  });
  it('a machine without CUDA: auto tries cuda then cpu; the failure message is one clean line', async () => {
    const m = simulatedMachine(['cpu']);
    const clf = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory });
    expect(clf.provider).toBe('cpu');
    expect(m.asked).toEqual([['cuda'], ['cpu']]);
    expect(clf.providerFailures).toEqual([{ provider: 'cuda', message: 'Failed to load cuda library' }]);
  });
  it("a machine without CUDA: 'cuda' fails with the install hint and never falls back", async () => {
    const m = simulatedMachine(['cpu']);
    const err = await load(tiny.bytes, { device: 'cuda', sessionFactory: m.factory }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    expect((err as Error).message).toBe(`device "cuda" is not available: tried cuda (Failed to load cuda library). To use a GPU, ${CUDA_INSTALL_HINT}`);
    expect(m.asked).toEqual([['cuda']]);
  });
  it('a model that no provider can load is a model error, not a device error', async () => {
    const m = simulatedMachine([]);
    const err = await load(tiny.bytes, { device: 'auto', sessionFactory: m.factory }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toBe('model bytes: onnxruntime cannot load it: Failed to load cpu library; re-export it with "ecg export"');
  });
  it('threads must be a non-negative integer', async () => {
    await expect(load(tiny.bytes, { device: 'cpu', threads: -1 })).rejects.toThrow(/threads must be a non-negative integer, got -1/);
  });
});
