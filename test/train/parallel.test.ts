// The training step: fused Adam is bit-identical to tf.train.adam (so one thread gives exactly the
// numbers TF.js's own optimiser gave); two data-parallel threads compute the whole batch's gradient
// (exact up to float summation without BatchNorm), average the BatchNorm moving statistics of their
// shares, and repeat bit for bit for the same seed and thread count.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/backend.js';
import { adamLayout, AdamMemory, FusedAdam } from '../../train/fused-adam.js';
import { crossEntropy } from '../../train/loss.js';
import { ResetAfterGRU } from '../../train/gru.js';
import { localStepper, parallelStepper, replicaTopology } from '../../train/parallel/coordinator.js';
import { allocateShared, CTRL, SharedViews } from '../../train/parallel/shared-state.js';
import { ThreadStep } from '../../train/parallel/thread-step.js';
import { prestartWorkers, takeWorkers } from '../../train/parallel/worker-pool.js';
import { Replica } from '../../train/replica.js';
import { assertClose } from '../helpers/tolerances.js';

const T = 12;
const K = 3;
const N = 16;

beforeAll(async () => {
  await initBackend('wasm');
});

function toyModel(seed: number, withBatchNorm: boolean): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [T, 2] });
  let x = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  if (withBatchNorm) x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: init(2) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Recurrent layers whose initialisers a worker skips: our GRU (orthogonal inside build) and TF.js's LSTM. */
function recurrentModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [T, 2] });
  let x = new ResetAfterGRU({ units: 4, returnSequences: true, seed }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.lstm({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 2 }) }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function batch(seed: number): { x: Float32Array; y: Int32Array } {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return { x: Float32Array.from({ length: N * T * 2 }, next), y: Int32Array.from({ length: N }, (_, i) => (i * 7 + seed) % K) };
}

const weightsOf = (m: tf.LayersModel) => m.trainableWeights.map((w) => Array.from(w.read().dataSync()));

describe('FusedAdam (the WebAssembly SIMD loop)', () => {
  it('equals tf.train.adam bit for bit over steps with a changing learning rate: whole, in slices, over summed slots', () => {
    const shapes = [[7, 5], [5], [3, 4, 2]];
    const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1)));
    const grads = (step: number) => shapes.map((s, i) => tf.randomNormal(s, 0, 0.1 + step, 'float32', 100 + 10 * step + i));
    const size = vars.reduce((n, v) => n + v.size, 0); // 64: padded to whole lanes per slot
    const flat = (ts: tf.Tensor[], into: Float32Array) => {
      let at = 0;
      for (const t of ts) {
        into.set(t.dataSync() as Float32Array, at);
        at += t.size;
      }
      return into;
    };
    const whole = new AdamMemory(adamLayout(size, 1));
    const sliced = new AdamMemory(adamLayout(size, 2)); // two slots: the gradient split g = a + (g - a)
    flat(vars, whole.params);
    flat(vars, sliced.params);
    const fused = new FusedAdam(whole, { learningRate: 1e-3 });
    const halves = [new FusedAdam(sliced, { learningRate: 1e-3 }), new FusedAdam(sliced, { learningRate: 1e-3 })];
    const reference = tf.train.adam(1e-3);
    const half = sliced.layout.padded / 2;
    for (let step = 0; step < 6; step++) {
      const lr = step < 3 ? 1e-3 : 3e-4;
      (reference as unknown as { learningRate: number }).learningRate = lr;
      const g = grads(step);
      reference.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: g[i]! })));
      flat(g, whole.gradient(0));
      fused.learningRate = lr;
      fused.step();
      // Slot 0 holds g, slot 1 zeros: g + 0 == g exactly, so the slices must match too.
      flat(g, sliced.gradient(0));
      sliced.gradient(1).fill(0);
      halves.forEach((h, i) => {
        h.learningRate = lr;
        h.step(i * half, (i + 1) * half);
      });
      tf.dispose(g);
    }
    const expected = flat(vars, new Float32Array(size));
    expect(Array.from(whole.params.subarray(0, size))).toEqual(Array.from(expected));
    expect(Array.from(sliced.params.subarray(0, size))).toEqual(Array.from(expected));
    reference.dispose();
    tf.dispose(vars);
  });

  it('sums the slots in slot order', () => {
    const memory = new AdamMemory(adamLayout(8, 3));
    memory.gradient(0).set([1, 2, 3, 4, 5, 6, 7, 8]);
    memory.gradient(1).set([1, 1, 1, 1, 1, 1, 1, 1]);
    memory.gradient(2).set([-2, -3, -4, -5, -7, -8, -9, -10]); // the sum is 0 in 4 lanes, -1 in the other 4
    new FusedAdam(memory, { learningRate: 0.5 }).step();
    // A first Adam step moves p by -lr * g / (|g| + eps): 0 where the sum is 0, +0.5 where it is -1.
    // (not exactly 0.5: float32 bias corrections, e.g. 1 - 0.9 rounds to 0.100000001)
    assertClose(memory.params.subarray(0, 8), [0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5], 1e-5, 'params after one step');
  });
});

describe('training steps', () => {
  it('one thread: the same weights and losses as tf.train.adam minimize()', () => {
    const a = toyModel(1, true);
    const b = toyModel(1, true);
    const stepper = localStepper(new Replica(b, K, 2), 1e-3);
    const optimizer = tf.train.adam(1e-3);
    const vars = a.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let step = 0; step < 4; step++) {
      const { x, y } = batch(step + 1);
      const loss = tf.tidy(() => {
        const cost = optimizer.minimize(() => crossEntropy(a.apply(tf.tensor3d(x, [N, T, 2]), { training: true }) as tf.Tensor, tf.oneHot(tf.tensor1d(y, 'int32'), K)), true, vars)!;
        return cost.dataSync()[0]!;
      });
      expect(stepper.step(x, y, N, 1e-3, []).loss).toBe(loss);
    }
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(b.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()))).toEqual(a.nonTrainableWeights.map((w) => Array.from(w.read().dataSync())));
    optimizer.dispose();
  });

  it('two threads without BatchNorm: the whole batch gradient (equal to one thread up to float summation)', async () => {
    const one = toyModel(2, false);
    const two = toyModel(2, false);
    const s1 = localStepper(new Replica(one, K, 2), 1e-2);
    const s2 = await parallelStepper(new Replica(two, K, 2), { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-2 });
    try {
      for (let step = 0; step < 3; step++) {
        const { x, y } = batch(step + 7);
        const r1 = s1.step(x, y, N, 1e-2, []);
        const r2 = s2.step(x, y, N, 1e-2, []);
        expect(r2.hits).toBe(r1.hits);
        expect(Math.abs(r2.loss - r1.loss)).toBeLessThan(1e-6);
      }
      assertClose(weightsOf(two).flat(), weightsOf(one).flat(), 1e-5, 'weights after 3 steps');
    } finally {
      await s2.close();
    }
  });

  it("two threads with BatchNorm: each share's statistics, averaged into every replica's moving mean", async () => {
    const model = toyModel(3, true);
    const stepper = await parallelStepper(new Replica(model, K, 2), { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-3 });
    const { x, y } = batch(11);
    // The moving mean after one step is momentum * 0 + (1 - momentum) * mean of the two shares' batch means
    // of the BatchNorm input (the conv's output), computed here from the weights the step started with.
    const shareMean = (lo: number, hi: number) =>
      tf.tidy(() => {
        const conv = tf.model({ inputs: model.inputs, outputs: model.layers[1]!.output as tf.SymbolicTensor });
        return tf.mean(conv.predict(tf.tensor3d(x.subarray(lo * T * 2, hi * T * 2), [hi - lo, T, 2])) as tf.Tensor, [0, 1]).dataSync();
      });
    const m0 = shareMean(0, N / 2);
    const m1 = shareMean(N / 2, N);
    try {
      stepper.step(x, y, N, 1e-3, []);
      const movingMean = model.nonTrainableWeights[0]!.read().dataSync();
      const expected = Array.from(m0, (v, i) => 0.1 * ((v + m1[i]!) / 2));
      assertClose(movingMean, expected, 1e-6, 'moving mean');
    } finally {
      await stepper.close();
    }
  });

  it('written parameters and statistics are copies on every backend: rewriting the flat buffer later leaves the variables alone', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const model = toyModel(4, true);
      const replica = new Replica(model, K, 2);
      const params = Float32Array.from({ length: replica.size }, (_, i) => i / replica.size);
      const stats = Float32Array.from({ length: replica.statsSize }, (_, i) => 1 + i);
      replica.writeParams(params);
      replica.writeStats(stats);
      params.fill(-7);
      stats.fill(-7);
      const back = new Float32Array(replica.size);
      replica.readParams(back);
      expect(Array.from(back), backend).toEqual(Array.from({ length: replica.size }, (_, i) => Math.fround(i / replica.size)));
      const backStats = new Float32Array(replica.statsSize);
      replica.readStats(backStats);
      expect(Array.from(backStats), backend).toEqual(Array.from({ length: replica.statsSize }, (_, i) => 1 + i));
      model.dispose();
    }
    await initBackend('wasm');
  });

  it('reads the statistics slots before barrier B: a faster thread past B may already overwrite its slot', () => {
    const model = toyModel(3, true);
    const replica = new Replica(model, K, 2);
    const layout = { workers: 2, params: replica.size, stats: replica.statsSize, width: replica.inputSize, maxBatch: N, dropouts: replica.dropoutCount, classes: K };
    const views = new SharedViews(allocateShared(layout));
    replica.readParams(views.adam.params);
    const step = new ThreadStep(views, replica, 0, 1e-3);
    const { x, y } = batch(11);
    views.x.set(x);
    views.y.set(y);
    views.scalars[0] = 1e-3;
    Atomics.store(views.control, CTRL.batch, N);
    // Thread 1, played here: its share's gradient (zero) and statistics are in, and it has arrived at both barriers...
    const peer = Float32Array.from({ length: layout.stats }, (_, i) => 0.25 + i);
    views.stats(1).set(peer);
    views.gradient(1).fill(0);
    Atomics.add(views.control, CTRL.arrivedA, 1);
    Atomics.add(views.control, CTRL.arrivedB, 1);
    // ...and once past barrier B it starts the next step, writing new statistics into its slot.
    const arrive = views.arrive.bind(views);
    views.arrive = (index: number, target: number) => {
      arrive(index, target);
      if (index === CTRL.arrivedB) views.stats(1).fill(Number.NaN);
    };
    step.run();
    const own = views.stats(0);
    const expected = Array.from(own, (v, i) => Math.fround(Math.fround(v + peer[i]!) / 2));
    const moving = model.nonTrainableWeights.flatMap((w) => Array.from(w.read().dataSync()));
    expect(moving.length).toBe(layout.stats);
    expect(moving).toEqual(expected);
    model.dispose();
  });

  it("a worker rebuilds the topology with zero initialisers, then takes this thread's weights", async () => {
    const model = recurrentModel(5);
    const topology = model.toJSON(null, false) as object;
    const before = JSON.stringify(topology);
    const rebuilt = await tf.models.modelFromJSON({ modelTopology: replicaTopology(topology) } as tf.io.ModelJSON);
    expect(JSON.stringify(topology)).toBe(before); // the original is not touched
    expect(rebuilt.weights.map((w) => w.shape)).toEqual(model.weights.map((w) => w.shape));
    expect(weightsOf(rebuilt).flat().every((v) => v === 0)).toBe(true);
    expect(weightsOf(model).flat().some((v) => v !== 0)).toBe(true);
    rebuilt.dispose();

    const one = recurrentModel(5);
    const s1 = localStepper(new Replica(one, K, 2), 1e-2);
    const s2 = await parallelStepper(new Replica(model, K, 2), { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-2 });
    try {
      for (let step = 0; step < 2; step++) {
        const { x, y } = batch(step + 31);
        expect(Math.abs(s2.step(x, y, N, 1e-2, []).loss - s1.step(x, y, N, 1e-2, []).loss)).toBeLessThan(1e-6);
      }
      assertClose(weightsOf(model).flat(), weightsOf(one).flat(), 1e-5, 'GRU + LSTM weights after 2 steps');
    } finally {
      await s2.close();
    }
  });

  it('prestarted workers are the ones a stepper of that size takes; another size gets fresh ones, the warm ones stop', async () => {
    const pool = prestartWorkers(2, 'wasm');
    expect(prestartWorkers(2, 'wasm')).toBe(pool); // still warm: not booted twice
    const [warm] = takeWorkers(1, 'wasm');
    expect(warm).toBe(pool[0]);
    const [again] = takeWorkers(1, 'wasm');
    expect(again).not.toBe(warm); // a taken pool is not handed out twice
    const big = prestartWorkers(3, 'wasm');
    const fresh = takeWorkers(1, 'wasm');
    expect(fresh[0]).not.toBe(big[0]);
    await Promise.all(big.map((b) => b.exited)); // the warm pool of the wrong size was stopped
    await Promise.all([warm, again, ...fresh].map((b) => b!.worker.terminate()));
    // A prestarted pool is what parallelStepper runs on: it trains like a fresh one.
    prestartWorkers(2, 'wasm');
    const model = toyModel(6, false);
    const one = toyModel(6, false);
    const s1 = localStepper(new Replica(one, K, 2), 1e-2);
    const s2 = await parallelStepper(new Replica(model, K, 2), { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-2 });
    try {
      const { x, y } = batch(41);
      expect(Math.abs(s2.step(x, y, N, 1e-2, []).loss - s1.step(x, y, N, 1e-2, []).loss)).toBeLessThan(1e-6);
    } finally {
      await s2.close();
    }
  });

  it("two threads predict each its share with the main thread's bits; after resync() with the main thread's new weights", async () => {
    const model = toyModel(8, true);
    const replica = new Replica(model, K, 2);
    const stepper = await parallelStepper(replica, { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-2 });
    const alone = (x: Float32Array, n: number) => {
      const out = new Float32Array(n * K);
      replica.predictInto(x, n, out);
      return Array.from(out);
    };
    try {
      for (let s = 0; s < 2; s++) stepper.step(batch(s + 51).x, batch(s + 51).y, N, 1e-2, []);
      const many = Float32Array.from({ length: 37 * T * 2 }, (_, i) => Math.sin(i));
      expect(Array.from(stepper.predict(many, 37)), 'after steps: the replicas agree').toEqual(alone(many, 37));
      expect(Array.from(stepper.predict(many, 1))).toEqual(alone(many, 1)); // one beat: the worker's share is empty
      // Weights changed in this thread only (as the best epoch or a folded temperature does):
      model.setWeights(model.getWeights().map((w) => tf.mul(w, 0.5)));
      const wanted = alone(many, 37);
      expect(Array.from(stepper.predict(many, 37)), 'without resync the worker still has the old weights').not.toEqual(wanted);
      stepper.resync();
      expect(Array.from(stepper.predict(many, 37)), 'after resync').toEqual(wanted);
      const more = Float32Array.from({ length: 90 * T * 2 }, (_, i) => Math.cos(i)); // outgrows the shared buffers
      expect(Array.from(stepper.predict(more, 90))).toEqual(alone(more, 90));
    } finally {
      await stepper.close();
      model.dispose();
    }
  });

  it('two threads repeat bit for bit for the same inputs and seeds', async () => {
    const run = async () => {
      const model = toyModel(4, true);
      const stepper = await parallelStepper(new Replica(model, K, 2), { workers: 2, backend: 'wasm', maxBatch: N, learningRate: 1e-3 });
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const { x, y } = batch(step + 21);
        losses.push(stepper.step(x, y, step === 2 ? 5 : N, 1e-3, []).loss); // the last batch is short: shares of 2 and 3
      }
      await stepper.close();
      return { losses, weights: weightsOf(model) };
    };
    const [a, b] = [await run(), await run()];
    expect(b).toEqual(a);
  });
});
