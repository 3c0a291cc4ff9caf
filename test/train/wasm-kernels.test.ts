// Our WASM kernels (train/kernels/) against the CPU backend on the shapes training produces and on
// odd ones: transposed matrix products, Tile, MaxPoolGrad; and a whole training step of the
// paper's model on wasm with nothing missing, whose gradients match the CPU backend's; and that the
// kernels TF.js dispatches to (tf.getKernel) are ours, not the package's, after initBackend('wasm').
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import { classInfos } from '../../core/spec.js';
import { initBackend } from '../../train/backend.js';
import { REQUIRED_WASM_KERNELS, WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from '../../train/kernels/index.js';
import { meanGradConfig } from '../../train/kernels/mean-gradient.js';
import { type WasmBackendLike, matMulTransposedB, originalWasmKernel, transposedBPlan } from '../../train/kernels/wasm-heap.js';
import { buildModel } from '../../train/model.js';
import { TOLERANCES, assertClose } from '../helpers/tolerances.js';

type Backend = 'cpu' | 'wasm';

function random(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  const rng = createRng(seed);
  return { values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape };
}

/** Runs fn on each backend with the same inputs and returns each backend's flattened result. */
async function onBackends(fn: () => tf.Tensor, backends: Backend[] = ['cpu', 'wasm']): Promise<Float32Array[]> {
  const results: Float32Array[] = [];
  for (const b of backends) {
    await initBackend(b);
    results.push(tf.tidy(() => fn().dataSync() as Float32Array));
  }
  return results;
}

function assertRel(actual: Float32Array, expected: Float32Array, what: string): void {
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(actual.length).toBe(expected.length);
  assertClose(actual, expected, TOLERANCES.gradientRel * Math.max(scale, 1e-30), what);
}

describe('wasm kernels vs the CPU backend', () => {
  it('BatchMatMul with every transpose combination, rank 2 and batch 1 of rank 3', async () => {
    for (const [m, k, n] of [[64, 512, 384], [32, 128, 5], [7, 3, 11], [1, 9, 1]] as const) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const aShape: [number, number] = ta ? [k, m] : [m, k];
        const bShape: [number, number] = tb ? [n, k] : [k, n];
        const a = random(aShape, m + k);
        const b = random(bShape, k + n);
        const [cpu, wasm] = await onBackends(() => tf.matMul(tf.tensor2d(a.values, aShape), tf.tensor2d(b.values, bShape), ta, tb));
        assertRel(wasm!, cpu!, `matMul ${m}x${k}x${n} transposeA ${ta} transposeB ${tb}`);
        const [cpu3, wasm3] = await onBackends(() => tf.matMul(tf.tensor3d(a.values, [1, ...aShape]), tf.tensor3d(b.values, [1, ...bShape]), ta, tb));
        assertRel(wasm3!, cpu3!, `batch-1 matMul ${m}x${k}x${n} transposeA ${ta} transposeB ${tb}`);
      }
    }
  });

  it('Slice, contiguous and strided, rank 1 to 5, float32, int32 and bool, empty slices too', async () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [4]], [[384, 128], [5, 5], [379, 1]], [[384, 128], [0, 7], [1, 1]], [[6, 5], [2, 0], [3, 5]], [[6, 5], [1, 2], [4, -1]],
      [[4, 3, 5], [1, 0, 2], [2, 3, 3]], [[2, 3, 4, 5], [1, 1, 0, 1], [1, 2, 4, 3]], [[2, 3, 2, 3, 2], [0, 1, 1, 0, 1], [2, 2, 1, 3, 1]], [[5, 4], [2, 1], [0, 3]],
    ];
    for (const [shape, begin, size] of cases) {
      const x = random(shape, shape.length + begin[0]!);
      const [cpu, wasm] = await onBackends(() => tf.slice(tf.tensor(x.values, shape), begin, size));
      expect(Array.from(wasm!), `float32 ${shape} from ${begin} size ${size}`).toEqual(Array.from(cpu!));
      const ints = Int32Array.from(x.values, (v) => Math.round(v * 100));
      const [cpuI, wasmI] = await onBackends(() => tf.slice(tf.tensor(ints, shape, 'int32'), begin, size));
      expect(Array.from(wasmI!), `int32 ${shape}`).toEqual(Array.from(cpuI!));
      const [cpuB, wasmB] = await onBackends(() => tf.slice(tf.tensor(x.values.map((v) => (v > 0 ? 1 : 0)), shape, 'bool'), begin, size));
      expect(Array.from(wasmB!), `bool ${shape}`).toEqual(Array.from(cpuB!));
    }
  });

  it("the orthogonal initialiser (a QR of slices) gives the package Slice's bits", async () => {
    await initBackend('wasm');
    const draw = () => tf.tidy(() => Array.from(tf.initializers.orthogonal({ seed: 7 }).apply([128, 384]).dataSync()));
    try {
      registerWasmTrainingKernels([...WASM_TRAINING_KERNELS.keys()].filter((k) => k !== 'Slice'));
      const theirs = draw();
      registerWasmTrainingKernels();
      expect(draw()).toEqual(theirs);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('BatchMatMul with an empty dimension: zeros over an empty inner one, empty outputs, as on the CPU backend', async () => {
    for (const [m, k, n] of [[2, 0, 3], [0, 4, 3], [2, 4, 0], [0, 0, 0]] as const) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const aShape: [number, number] = ta ? [k, m] : [m, k];
        const bShape: [number, number] = tb ? [n, k] : [k, n];
        const shapes: number[][] = [];
        const [cpu, wasm] = await onBackends(() => {
          const out = tf.matMul(tf.fill(aShape, 2), tf.fill(bShape, 3), ta, tb);
          shapes.push(out.shape);
          return out;
        });
        expect(shapes[1], `${m}x${k}x${n} ${ta} ${tb}`).toEqual([m, n]);
        expect(shapes[0]).toEqual(shapes[1]);
        expect(Array.from(wasm!), `${m}x${k}x${n} transposeA ${ta} transposeB ${tb}`).toEqual(Array.from(cpu!));
      }
    }
    const [cpu3, wasm3] = await onBackends(() => tf.matMul(tf.fill([2, 3, 0], 1), tf.fill([1, 0, 4], 1)));
    expect(Array.from(wasm3!)).toEqual(Array.from(cpu3!));
    expect(wasm3!.length).toBe(24);
  });

  it('Tile on float32 and int32 tensors of rank 1 to 4', async () => {
    const cases: Array<[number[], number[]]> = [[[5], [3]], [[1, 1, 1, 128], [32, 1, 47, 1]], [[2, 3], [2, 4]], [[2, 1, 3], [1, 5, 2]], [[3, 2, 2, 1], [2, 1, 3, 4]], [[4, 2], [1, 1]]];
    for (const [shape, reps] of cases) {
      const x = random(shape, shape.length);
      const [cpu, wasm] = await onBackends(() => tf.tile(tf.tensor(x.values, shape), reps));
      expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
      const ints = Int32Array.from(x.values, (v) => Math.round(v * 100));
      const [cpuInt, wasmInt] = await onBackends(() => tf.tile(tf.tensor(ints, shape, 'int32'), reps));
      expect(Array.from(wasmInt!)).toEqual(Array.from(cpuInt!));
    }
  });

  it('MaxPoolGrad (the gradient of maxPool) for 1-D and 2-D pools, same and valid padding', async () => {
    const cases: Array<{ x: [number, number, number, number]; size: [number, number]; stride: [number, number]; pad: 'same' | 'valid' }> = [
      { x: [32, 1, 47, 128], size: [1, 3], stride: [1, 3], pad: 'same' },
      { x: [4, 1, 16, 32], size: [1, 2], stride: [1, 2], pad: 'same' },
      { x: [3, 1, 9, 5], size: [1, 3], stride: [1, 2], pad: 'valid' },
      { x: [2, 7, 6, 3], size: [3, 2], stride: [2, 2], pad: 'same' },
    ];
    for (const { x, size, stride, pad } of cases) {
      const input = random(x, x[2]);
      const [cpu, wasm] = await onBackends(() =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), tf.range(1, 1 + tf.maxPool(t as tf.Tensor4D, size, stride, pad).size).reshape(tf.maxPool(t as tf.Tensor4D, size, stride, pad).shape))))(tf.tensor4d(input.values, x)),
      );
      assertRel(wasm!, cpu!, `maxPool grad ${x} size ${size} stride ${stride} ${pad}`);
    }
  });

  it('runs a whole training step of the paper model on wasm with gradients equal to the CPU backend', async () => {
    const spec = { inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5']) };
    const x = random([8, 140, 1], 99);
    const labels = [0, 1, 2, 3, 4, 0, 1, 2];
    // Built once on wasm (the CPU backend's orthogonal initialiser takes ~15 s); TF.js moves the
    // weights to whichever backend reads them.
    await initBackend('wasm');
    const model = buildModel(spec, { seed: 7, dropout: 0 });
    const gradsOn = async (backend: Backend) => {
      await initBackend(backend);
      const { value, grads } = tf.variableGrads(() =>
        tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 5), model.apply(tf.tensor3d(x.values, [8, 140, 1]), { training: true }) as tf.Tensor)) as tf.Scalar,
      );
      const byOrder = model.trainableWeights.map((w) => grads[w.name]!.dataSync() as Float32Array);
      const loss = value.dataSync()[0]!;
      tf.dispose([value, grads]);
      return { loss, byOrder, names: model.trainableWeights.map((w) => w.originalName) };
    };
    const cpu = await gradsOn('cpu');
    const wasm = await gradsOn('wasm');
    model.dispose();
    expect(Number.isFinite(wasm.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * Math.abs(cpu.loss));
    expect(wasm.byOrder.length).toBe(cpu.byOrder.length);
    // Float32 rounding differs between backends and compounds through 24 layers; 1e-3 of each
    // gradient's scale still catches any wrong kernel (those are off by O(1) of the scale).
    cpu.byOrder.forEach((g, i) => {
      const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assertClose(wasm.byOrder[i]!, g, 1e-3 * scale, `gradient of ${cpu.names[i]}`);
    });
  });
});

describe('a x b^T on the wasm heap: both plans', () => {
  it('the direct and the flipped plan give the same bits, and the cheaper one is chosen', async () => {
    await initBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendLike;
    const info = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    // [M, K, N]: the GRU's input weight against 16 beats x 2 steps, the dense head, the 512-filter conv, odd sizes.
    for (const [m, k, n] of [[32, 384, 512], [16, 512, 128], [32, 512, 384], [7, 3, 11], [1, 9, 1]] as const) {
      const a = random([m, k], m * k);
      const b = random([n, k], n + k);
      const [ta, tb] = [tf.tensor2d(a.values, [m, k]), tf.tensor2d(b.values, [n, k])];
      const [direct, flipped] = (['direct', 'flipped'] as const).map((plan) => {
        const out = matMulTransposedB(backend, info(ta), info(tb), m, k, n, plan);
        const values = backend.typedArrayFromHeap(out).slice();
        backend.disposeData(out.dataId);
        return values;
      });
      const expected = tf.tidy(() => tf.matMul(ta, tb, false, true).dataSync() as Float32Array);
      tf.dispose([ta, tb]);
      expect(flipped!.length).toBe(m * n);
      expect(Array.from(flipped!), `${m}x${k}x${n}: flipped vs direct`).toEqual(Array.from(direct!));
      assertRel(direct!, expected, `${m}x${k}x${n} against tf.matMul`);
    }
    expect(transposedBPlan(16, 384, 512)).toBe('flipped'); // 2*16*384 + 16*512 moved, not 2*512*384
    expect(transposedBPlan(256, 32, 896)).toBe('direct'); // a 7-tap conv's im2col rows outnumber its filter
    expect(transposedBPlan(16, 5, 512)).toBe('direct'); // the 5-class output layer
  });
});

describe('wasm reductions over leading axes vs the CPU backend', () => {
  it('Sum and Mean over leading axes (with and without keepDims) and other axes', async () => {
    const cases: Array<[number[], number[]]> = [[[32, 47, 128], [0, 1]], [[1, 32, 47, 128], [0, 1, 2]], [[5, 3], [0]], [[4, 3, 2], [0, 2]], [[4, 3, 2], [2]], [[6], [0]], [[2, 3, 4], [1, 0]]];
    for (const [shape, axes] of cases) {
      const x = random(shape, shape.length + axes.length);
      for (const keepDims of [false, true]) {
        for (const op of [tf.sum, tf.mean]) {
          const [cpu, wasm] = await onBackends(() => op(tf.tensor(x.values, shape), axes, keepDims));
          assertRel(wasm!, cpu!, `${op.name} ${shape} axes ${axes} keepDims ${keepDims}`);
          const shapes: number[][] = [];
          for (const b of ['cpu', 'wasm'] as const) {
            await initBackend(b);
            shapes.push(tf.tidy(() => op(tf.tensor(x.values, shape), axes, keepDims).shape));
          }
          expect(shapes[1]).toEqual(shapes[0]);
        }
      }
    }
  });
});

describe("Mean's gradient without a tensor of ones", () => {
  it("gives the package gradient's bits for batch, time and channel means, with and without keepDims", async () => {
    await initBackend('wasm');
    registerWasmTrainingKernels([]); // the package's gradient of Mean is registered again
    const packageGrad = tf.getGradient('Mean')!;
    registerWasmTrainingKernels();
    expect(packageGrad).not.toBe(meanGradConfig);
    const cases: Array<[number[], number[]]> = [[[16, 47, 128], [0, 1]], [[16, 8, 32], [1]], [[5, 3], [0]], [[4, 3, 2], [2]], [[4, 3, 2], [0, 2]], [[7], [0]]];
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      for (const [shape, axes] of cases) {
        for (const keepDims of [false, true]) {
          const x = random(shape, shape.length + axes.length + 3);
          const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d)).filter((_, i) => keepDims || !axes.includes(i));
          const dy = random(outShape.length > 0 ? outShape : [], 11);
          const [mine, theirs] = [meanGradConfig, packageGrad].map((config) =>
            tf.tidy(() => {
              const grads = config.gradFunc(tf.tensor(dy.values, dy.shape), [tf.tensor(x.values, shape)], { axis: axes, keepDims });
              return Array.from(grads.x!().dataSync());
            }),
          );
          expect(mine!.length, `${backend} ${shape} axes ${axes}`).toBe(x.values.length);
          expect(mine, `${backend} ${shape} axes ${axes} keepDims ${keepDims}`).toEqual(theirs);
        }
      }
    }
    await initBackend('wasm');
  });
});

describe('wasm Identity shares data safely', () => {
  it('a clone keeps its values after the original is disposed, and variables stay independent', async () => {
    await initBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const y = x.clone();
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(y);
    v.assign(tf.tensor1d([4, 5, 6]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([4, 5, 6]);
    tf.dispose([y, v]);
  });
});

describe('the registered wasm kernels are ours', () => {
  const ours = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc as unknown;

  it("after initBackend('wasm') every kernel of the table dispatches to our implementation", async () => {
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect([...WASM_TRAINING_KERNELS.keys()]).toEqual(['BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity', 'MaxPoolGrad', 'Mean', 'Slice', 'Sum', 'Tile']);
    for (const [name, fn] of WASM_TRAINING_KERNELS) expect(ours(name), name).toBe(fn);
    // ...and they replaced a package kernel where the package has one (Conv2DBackpropFilter it lacks).
    for (const name of ['BatchMatMul', 'Conv2D', 'Identity', 'Slice', 'Sum', 'Tile']) expect(originalWasmKernel(name), name).not.toBe(WASM_TRAINING_KERNELS.get(name));
  });

  it('switching the speedups off gives the package kernels back but keeps the required one; all of them again after', async () => {
    await initBackend('wasm');
    try {
      registerWasmTrainingKernels([]);
      for (const [name, fn] of WASM_TRAINING_KERNELS) {
        if (REQUIRED_WASM_KERNELS.includes(name)) expect(ours(name), name).toBe(fn);
        else expect(ours(name), name).toBe(originalWasmKernel(name));
      }
      expect(tf.getGradient('Mean'), 'the package gradient of Mean is back').not.toBe(meanGradConfig);
      expect(tf.getGradient('Mean')?.kernelName).toBe('Mean');
      registerWasmTrainingKernels(['Tile']);
      expect(ours('Tile')).toBe(WASM_TRAINING_KERNELS.get('Tile'));
      expect(ours('BatchMatMul')).toBe(originalWasmKernel('BatchMatMul'));
    } finally {
      registerWasmTrainingKernels();
    }
    for (const [name, fn] of WASM_TRAINING_KERNELS) expect(ours(name), name).toBe(fn);
    expect(tf.getGradient('Mean')).toBe(meanGradConfig);
    expect(() => registerWasmTrainingKernels(['Nope'])).toThrow('unknown wasm kernel "Nope"');
  });
});
