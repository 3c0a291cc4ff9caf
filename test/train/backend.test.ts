// Backend choice: each name starts what it says or fails with an EcgError that says what to do.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { EcgError } from '../../core/errors.js';
import { type BackendName, initBackend } from '../../train/backend.js';

const TFJS_NODE = '@tensorflow/tfjs-node';
const tfjsNodeLoads = await import(TFJS_NODE).then(
  () => true,
  () => false,
);

describe('initBackend', () => {
  it('starts wasm and cpu and reports them', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('auto prefers tfjs-node and otherwise uses wasm', async () => {
    expect(await initBackend('auto')).toBe(tfjsNodeLoads ? 'node' : 'wasm');
  });

  it(`node ${tfjsNodeLoads ? 'starts tfjs-node' : 'fails with how to install tfjs-node'}`, async () => {
    if (tfjsNodeLoads) {
      expect(await initBackend('node')).toBe('node');
    } else {
      const failure = initBackend('node');
      await expect(failure).rejects.toBeInstanceOf(EcgError);
      await expect(failure).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
    }
  });

  it('rejects an unknown name, listing the valid ones', async () => {
    await expect(initBackend('gpu' as BackendName)).rejects.toThrow(/auto, node, wasm, cpu/);
  });
});
