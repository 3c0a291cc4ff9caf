// The training step as the fit loop calls it: alone (the model in this thread, fused Adam), or data
// parallel over worker threads, each holding a replica on the same backend and computing the gradient
// of its share of the batch. Replicas stay identical: one Adam step on the summed gradient, and the
// BatchNorm moving statistics averaged (per-thread batch statistics, as multi-GPU Keras replicas use).
import type { BackendName } from '../backend.js';
import { adamLayout, AdamMemory, FusedAdam } from '../fused-adam.js';
import type { Replica, StepExtras } from '../replica.js';
import { allocateShared, COMMAND, CTRL, EXTRAS, SharedViews, type PredictBuffers } from './shared-state.js';
import { ThreadStep, type StepTimes } from './thread-step.js';
import type { WorkerInit } from './worker.js';
import { takeWorkers } from './worker-pool.js';

export interface StepResult {
  /** The batch's mean loss (with dropout and augmentation), as tf.train's minimize returns it. */
  loss: number;
  /** Correct predictions in the batch. */
  hits: number;
}

export interface Stepper {
  readonly workers: number;
  /** Where this thread's step time went (ms summed over steps). */
  readonly time: StepTimes;
  step(x: Float32Array, y: Int32Array, n: number, learningRate: number, dropoutSeeds: readonly number[], extras?: StepExtras): StepResult;
  /**
   * Inference-mode probabilities [n, K] of n beats with the replicas' current weights (identical after
   * every step), each thread predicting its share. A beat's probabilities do not depend on its batch,
   * so the result has the bits of one thread predicting all of them.
   */
  predict(x: Float32Array, n: number): Float32Array;
  /** After this thread's model changed outside step() (best-epoch weights, a folded temperature): the next predict() first gives every replica its weights. */
  resync(): void;
  close(): Promise<void>;
}

/** One thread: gradient, fused Adam, new parameters; bit-identical to tf.train.adam's minimize. */
export function localStepper(replica: Replica, learningRate: number): Stepper {
  const memory = new AdamMemory(adamLayout(replica.size, 1));
  replica.readParams(memory.params);
  const adam = new FusedAdam(memory, { learningRate });
  const time: StepTimes = { gradient: 0, waitForGradients: 0, adam: 0, waitForAdam: 0, write: 0, steps: 0 };
  return {
    workers: 1,
    time,
    step(x, y, n, lr, seeds, extras) {
      replica.setDropoutSeeds(seeds);
      const t0 = performance.now();
      const result = replica.gradients(x, y, n, 1, memory.gradient(0), extras);
      const t1 = performance.now();
      adam.learningRate = lr;
      adam.step();
      const t2 = performance.now();
      replica.writeParams(memory.params);
      time.gradient += t1 - t0;
      time.adam += t2 - t1;
      time.write += performance.now() - t2;
      time.steps++;
      return result;
    },
    predict(x, n) {
      const out = new Float32Array(n * replica.numClasses);
      replica.predictInto(x, n, out);
      return out;
    },
    resync: () => {},
    close: async () => {},
  };
}

export interface ParallelConfig {
  workers: number;
  /** The backend this thread runs (workers start the same one). */
  backend: BackendName;
  maxBatch: number;
  learningRate: number;
}

/**
 * The topology a worker rebuilds, with every initialiser replaced by zeros (any `*_initializer` entry and
 * our GRU's `initialize: false`): a worker's replica takes this thread's weights right after it is built,
 * so drawing initial values (an orthogonal QR for recurrent kernels) would only delay its start.
 */
export function replicaTopology(topology: object): object {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => {
      if (key.endsWith('_initializer') && v !== null && typeof v === 'object') return [key, { class_name: 'Zeros', config: {} }];
      return [key, walk(v)];
    });
    const out = Object.fromEntries(entries) as Record<string, unknown>;
    if (out.class_name === 'ResetAfterGRU' && out.config !== null && typeof out.config === 'object') out.config = { ...(out.config as object), initialize: false };
    return out;
  };
  return walk(topology) as object;
}

/** Starts workers-1 worker threads beside this thread's replica; resolves once every replica is ready. */
export async function parallelStepper(replica: Replica, config: ParallelConfig): Promise<Stepper> {
  const { workers } = config;
  const layout = {
    workers,
    params: replica.size,
    stats: replica.statsSize,
    width: replica.inputSize,
    maxBatch: config.maxBatch,
    dropouts: replica.dropoutCount,
    classes: replica.numClasses,
  };
  const buffers = allocateShared(layout);
  const views = new SharedViews(buffers);
  replica.readParams(views.adam.params);
  if (replica.statsSize > 0) replica.readStats(views.stats(0));
  const topology = replicaTopology(replica.model.toJSON(null, false) as object);
  // Booted already when prestartWorkers() ran at the start of training (their module loading and backend
  // start overlapped the model build); each now gets its part of the shared state in one message.
  const threads = takeWorkers(workers - 1, config.backend);
  for (const t of threads) {
    const init: WorkerInit = { buffers, topology, numClasses: replica.numClasses, channels: replica.channels, learningRate: config.learningRate };
    t.worker.on('error', () => Atomics.store(views.control, CTRL.failed, 1));
    t.worker.postMessage(init);
  }
  const errors = () => threads.flatMap((t) => t.errors);
  const failure = () => new Error(`data-parallel training failed: ${errors().join('; ') || 'a worker stopped'}`);
  while (Atomics.load(views.control, CTRL.ready) < workers - 1) {
    if (Atomics.load(views.control, CTRL.failed) !== 0 || errors().length > 0) {
      await Promise.all(threads.map((t) => t.worker.terminate()));
      throw failure();
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const mine = new ThreadStep(views, replica, 0, config.learningRate);
  let predictBuffers: (PredictBuffers & { capacity: number }) | undefined;
  let sync = false;
  const publish = (command: number, n: number) => {
    Atomics.store(views.control, CTRL.batch, n);
    Atomics.store(views.control, CTRL.command, command);
    Atomics.add(views.control, CTRL.generation, 1);
    Atomics.notify(views.control, CTRL.generation);
  };
  return {
    workers,
    time: mine.time,
    step(x, y, n, lr, seeds, extras = {}) {
      if (n > layout.maxBatch) throw new Error(`internal: batch of ${n} beats, the shared buffers hold ${layout.maxBatch}`);
      views.x.set(x.subarray(0, n * layout.width));
      views.y.set(y.subarray(0, n));
      views.seeds.set(seeds);
      if (extras.targets) views.targets.set(extras.targets.subarray(0, n * layout.classes));
      if (extras.weights) views.weights.set(extras.weights.subarray(0, n));
      Atomics.store(views.control, CTRL.extras, (extras.targets ? EXTRAS.targets : 0) | (extras.weights ? EXTRAS.weights : 0));
      views.scalars[0] = lr;
      publish(COMMAND.step, n);
      try {
        mine.run();
      } catch (err) {
        throw errors().length > 0 ? failure() : err;
      }
      let loss = 0;
      let hits = 0;
      for (let w = 0; w < workers; w++) {
        loss += views.results[2 * w]!;
        hits += views.results[2 * w + 1]!;
      }
      return { loss, hits };
    },
    predict(x, n) {
      const { width, classes } = layout;
      if (!predictBuffers || predictBuffers.capacity < n) {
        predictBuffers = { capacity: n, x: new SharedArrayBuffer(4 * n * width), probs: new SharedArrayBuffer(4 * n * classes) };
        for (const t of threads) t.worker.postMessage({ x: predictBuffers.x, probs: predictBuffers.probs } satisfies PredictBuffers);
      }
      const xs = new Float32Array(predictBuffers.x);
      const probs = new Float32Array(predictBuffers.probs);
      xs.set(x.subarray(0, n * width));
      Atomics.store(views.control, CTRL.extras, sync ? EXTRAS.sync : 0);
      sync = false;
      publish(COMMAND.predict, n);
      try {
        mine.predict(xs, probs);
      } catch (err) {
        throw errors().length > 0 ? failure() : err;
      }
      return probs.slice(0, n * classes);
    },
    resync() {
      replica.readParams(views.adam.params); // training is over: the Adam state's parameters are free to carry them
      if (replica.statsSize > 0) replica.readStats(views.stats(0));
      sync = true;
    },
    async close() {
      publish(COMMAND.exit, 0);
      await Promise.all(threads.map((t) => t.exited));
    },
  };
}
