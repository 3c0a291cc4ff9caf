// The lean tape saves give the very same gradients with ~200 fewer kernel calls per training step,
// and leak no tensor.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classInfos } from '../../core/spec.js';
import { initBackend } from '../../train/backend.js';
import { leanTapeSavesOn, setLeanTapeSaves } from '../../train/kernels/lean-tape.js';
import { buildModel } from '../../train/model.js';
import { Replica } from '../../train/replica.js';

let replica: Replica;
const B = 8;
const x = Float32Array.from({ length: B * 140 }, (_, i) => Math.sin(i / 9));
const y = Int32Array.from({ length: B }, (_, i) => i % 5);

beforeAll(async () => {
  await initBackend('wasm');
  replica = new Replica(buildModel({ inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5']) }, { seed: 2 }), 5, 1);
});
afterAll(() => setLeanTapeSaves(true));

async function gradientStep(lean: boolean): Promise<{ grad: Float32Array; kernels: number; leaked: number }> {
  setLeanTapeSaves(lean);
  const grad = new Float32Array(replica.size);
  replica.setDropoutSeeds([11, 12]);
  replica.gradients(x, y, B, 1, grad); // warm
  const before = tf.memory().numTensors;
  replica.setDropoutSeeds([11, 12]);
  const info = await tf.profile(() => void replica.gradients(x, y, B, 1, grad));
  return { grad, kernels: info.kernels.length, leaked: tf.memory().numTensors - before };
}

describe('lean tape saves', () => {
  it('are on after initBackend("wasm")', () => {
    expect(leanTapeSavesOn()).toBe(true);
  });

  it('give bit-identical gradients with far fewer kernel calls and no leaked tensor', async () => {
    const cloned = await gradientStep(false);
    const lean = await gradientStep(true);
    expect(Array.from(lean.grad)).toEqual(Array.from(cloned.grad));
    expect(cloned.kernels - lean.kernels).toBeGreaterThan(150);
    expect(lean.leaked).toBe(0);
    expect(cloned.leaked).toBe(0);
  });
});
