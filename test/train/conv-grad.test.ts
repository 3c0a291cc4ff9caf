// Convolution forward and gradients on every backend against a float64 reference, and the WASM
// filter gradient (our kernel, train/kernels/) against the CPU backend's, on random Conv1D shapes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import { initBackend } from '../../train/backend.js';
import { type ConvCase, type ConvResult, convGeometry, referenceConv1d } from '../helpers/reference-conv.js';
import { TOLERANCES, assertClose } from '../helpers/tolerances.js';

const BACKENDS = ['cpu', 'wasm'] as const;

/** Every stride 1..3 and padding with kernels 1..50 and channel counts from the paper's model and odd ones. */
function cases(): ConvCase[] {
  const rng = createRng(2024);
  const kernels = [1, 2, 3, 5, 7, 10, 16, 50];
  const channels: Array<[number, number]> = [[1, 128], [128, 32], [32, 32], [32, 128], [128, 512], [3, 5], [7, 1]];
  const out: ConvCase[] = [];
  for (const stride of [1, 2, 3]) {
    for (const padding of ['same', 'valid'] as const) {
      kernels.forEach((kernel, i) => {
        // Wide kernels get narrow channels so the CPU backend's naive loops stay quick.
        let [inChannels, outChannels] = channels[(i + stride) % channels.length]!;
        while (kernel * inChannels * outChannels > 20_000) [inChannels, outChannels] = [Math.ceil(inChannels / 4), Math.ceil(outChannels / 2)];
        const width = kernel + rng.int(kernel + 24); // valid padding needs width >= kernel
        out.push({ batch: 1 + rng.int(3), width, inChannels, outChannels, kernel, stride, padding });
      });
    }
  }
  // Inputs shorter than the kernel with 'same' padding: some taps only ever meet padding (the
  // paper's 5-tap conv on 2 steps), which the wasm kernels skip.
  out.push(
    { batch: 3, width: 2, inChannels: 16, outChannels: 24, kernel: 5, stride: 1, padding: 'same' },
    { batch: 2, width: 3, inChannels: 4, outChannels: 6, kernel: 7, stride: 2, padding: 'same' },
    { batch: 2, width: 1, inChannels: 3, outChannels: 5, kernel: 10, stride: 1, padding: 'same' },
    { batch: 1, width: 4, inChannels: 2, outChannels: 3, kernel: 50, stride: 3, padding: 'same' },
  );
  return out;
}

const name = (c: ConvCase) => `w${c.width} ${c.inChannels}->${c.outChannels} k${c.kernel} s${c.stride} ${c.padding} batch ${c.batch}`;

function inputsFor(c: ConvCase, seed: number) {
  const rng = createRng(seed);
  const { outWidth } = convGeometry(c);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    x: fill(c.batch * c.width * c.inChannels),
    filter: fill(c.kernel * c.inChannels * c.outChannels),
    probe: fill(c.batch * outWidth * c.outChannels),
  };
}

/** Forward output and both gradients of sum(conv1d(x, filter) * probe) on the current backend. */
function tfConv1d(c: ConvCase, x: Float32Array, filter: Float32Array, probe: Float32Array): { y: Float32Array; dx: Float32Array; dFilter: Float32Array } {
  return tf.tidy(() => {
    const { outWidth } = convGeometry(c);
    const xt = tf.tensor3d(x, [c.batch, c.width, c.inChannels]);
    const ft = tf.tensor3d(filter, [c.kernel, c.inChannels, c.outChannels]);
    const pt = tf.tensor3d(probe, [c.batch, outWidth, c.outChannels]);
    const conv = (a: tf.Tensor3D, b: tf.Tensor3D) => tf.conv1d(a, b, c.stride, c.padding);
    const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor3D, b as tf.Tensor3D), pt)))([xt, ft]);
    return { y: conv(xt, ft).dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, dFilter: dFilter!.dataSync() as Float32Array };
  });
}

/** max |actual - expected| <= rel * max |expected| (the gradient's own scale). */
function assertRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  expect(scale).toBeGreaterThan(0);
  assertClose(actual, expected, rel * scale, what);
}

const CASES = cases();

for (const backend of BACKENDS) {
  describe(`conv1d forward and gradients on ${backend} vs float64 reference`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    CASES.forEach((c, i) => {
      it(name(c), () => {
        const { x, filter, probe } = inputsFor(c, i);
        const actual = tfConv1d(c, x, filter, probe);
        const expected: ConvResult = referenceConv1d(c, x, filter, probe);
        assertRelClose(actual.y, expected.y, TOLERANCES.gradientRel, 'y');
        assertRelClose(actual.dx, expected.dx, TOLERANCES.gradientRel, 'dx');
        assertRelClose(actual.dFilter, expected.dFilter, TOLERANCES.gradientRel, 'dFilter');
      });
    });
  });
}

describe('wasm filter gradient vs the CPU backend', () => {
  it('equals the CPU backend within 1e-4 relative on every case', async () => {
    const results: Array<Float32Array> = [];
    await initBackend('cpu');
    CASES.forEach((c, i) => {
      const { x, filter, probe } = inputsFor(c, i);
      results.push(tfConv1d(c, x, filter, probe).dFilter);
    });
    await initBackend('wasm');
    CASES.forEach((c, i) => {
      const { x, filter, probe } = inputsFor(c, i);
      assertRelClose(tfConv1d(c, x, filter, probe).dFilter, results[i]!, TOLERANCES.gradientRel, `dFilter ${name(c)}`);
    });
  });

  it('handles 2-D convolutions (kernel height > 1) too', async () => {
    const rng = createRng(7);
    const shapes: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: [number, number]; p: 'same' | 'valid' }> = [
      { x: [2, 9, 11, 3], f: [3, 4, 3, 5], s: [2, 1], p: 'same' },
      { x: [1, 7, 8, 2], f: [2, 3, 2, 4], s: [1, 3], p: 'valid' },
      { x: [2, 2, 3, 2], f: [5, 3, 2, 4], s: [1, 1], p: 'same' }, // kernel rows that only meet padding
    ];
    for (const { x, f, s, p } of shapes) {
      const xs = Float32Array.from({ length: x.reduce((a, b) => a * b) }, () => rng.normal());
      const fs = Float32Array.from({ length: f.reduce((a, b) => a * b) }, () => rng.normal());
      const gradOn = async (b: 'cpu' | 'wasm') => {
        await initBackend(b);
        return tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(xs, x), w as tf.Tensor4D, s, p))))(tf.tensor4d(fs, f)).dataSync());
      };
      const cpu = await gradOn('cpu');
      assertRelClose(await gradOn('wasm'), cpu, TOLERANCES.gradientRel, `conv2d dFilter ${x} ${f} ${s} ${p}`);
    }
  });
});
