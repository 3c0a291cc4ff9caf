// The training step as the fit loop calls it: alone (the model in this thread, fused Adam), or data
// parallel over worker threads, each holding a replica on the same backend and computing the gradient
// of its share of the batch. Replicas stay identical: one Adam step on the summed gradient, and the
// BatchNorm moving statistics averaged (per-thread batch statistics, as multi-GPU Keras replicas use).
import type { BackendName } from '../backend.js';
import { adamLayout, AdamMemory, FusedAdam } from '../fused-adam.js';
import type { Replica, StepExtras } from '../replica.js';
import { allocateShared, COMMAND, CTRL, EXTRAS, SharedViews } from './shared-state.js';
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
      Atomics.store(views.control, CTRL.batch, n);
      Atomics.store(views.control, CTRL.command, COMMAND.step);
      Atomics.add(views.control, CTRL.generation, 1);
      Atomics.notify(views.control, CTRL.generation);
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
    async close() {
      Atomics.store(views.control, CTRL.command, COMMAND.exit);
      Atomics.add(views.control, CTRL.generation, 1);
      Atomics.notify(views.control, CTRL.generation);
      await Promise.all(threads.map((t) => t.exited));
    },
  };
}
