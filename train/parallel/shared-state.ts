// The memory data-parallel replicas share (SharedArrayBuffers, and the shared WebAssembly memory of
// the Adam state) and the barrier they meet at. Thread 0 is the main thread's replica; threads 1..W-1
// are workers. Per step: the main thread writes the batch, every thread computes the gradient of its
// share (and its BatchNorm statistics) into its slots, they meet (barrier A), each updates its slice of
// the parameters with Adam over the slots summed in thread order and averages the statistics slots,
// they meet again (barrier B), and each copies the new parameters and that average into its model.
// Nothing reads a slot after B: a thread past B may already be writing the next step's.

import { adamLayout, AdamMemory, type AdamLayout } from '../fused-adam.js';

/** Int32 control words. Counters only grow, so a barrier never needs resetting. */
export const CTRL = Object.freeze({ generation: 0, arrivedA: 1, arrivedB: 2, command: 3, batch: 4, ready: 5, failed: 6, extras: 7, predicted: 8 });
/** Bits of CTRL.extras: which optional per-beat inputs a step carries; sync: a prediction first takes thread 0's weights. */
export const EXTRAS = Object.freeze({ targets: 1, weights: 2, sync: 4 });
export const COMMAND = Object.freeze({ step: 1, exit: 2, predict: 3 });
const CTRL_WORDS = 9;

/** Inference input [n][width] and output [n][classes], sent to the workers whenever they grow. */
export interface PredictBuffers {
  x: SharedArrayBuffer;
  probs: SharedArrayBuffer;
}

export interface SharedLayout {
  workers: number;
  /** Trainable values (flat), BatchNorm moving-statistics values, values per beat, most beats per batch. */
  params: number;
  stats: number;
  width: number;
  maxBatch: number;
  dropouts: number;
  classes: number;
}

export interface SharedBuffers {
  layout: SharedLayout;
  control: SharedArrayBuffer;
  /** [learningRate] */
  scalars: SharedArrayBuffer;
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  seeds: SharedArrayBuffer;
  /** [maxBatch][classes] soft targets and [maxBatch] loss weights, when a step has them. */
  targets: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  /** Parameters, Adam's moments and one gradient slot per thread (shared WebAssembly memory). */
  adam: { layout: AdamLayout; memory: WebAssembly.Memory };
  /** [workers][stats] moving statistics after each thread's step. */
  stats: SharedArrayBuffer;
  /** [workers][2]: loss and hits of each share. */
  results: SharedArrayBuffer;
}

export function allocateShared(layout: SharedLayout): SharedBuffers {
  const f32 = (n: number) => new SharedArrayBuffer(4 * n);
  const adam = adamLayout(layout.params, layout.workers);
  return {
    layout,
    control: new SharedArrayBuffer(4 * CTRL_WORDS),
    scalars: new SharedArrayBuffer(8),
    x: f32(layout.maxBatch * layout.width),
    y: new SharedArrayBuffer(4 * layout.maxBatch),
    seeds: new SharedArrayBuffer(4 * Math.max(1, layout.dropouts)),
    targets: f32(layout.maxBatch * layout.classes),
    weights: f32(layout.maxBatch),
    adam: { layout: adam, memory: new WebAssembly.Memory({ initial: adam.pages, maximum: adam.pages, shared: true }) },
    stats: f32(layout.workers * Math.max(1, layout.stats)),
    results: new SharedArrayBuffer(8 * 2 * layout.workers),
  };
}

/** Typed views of the shared buffers, the same in every thread. */
export class SharedViews {
  readonly control: Int32Array;
  readonly scalars: Float64Array;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly seeds: Int32Array;
  readonly targets: Float32Array;
  readonly weights: Float32Array;
  readonly adam: AdamMemory;
  readonly results: Float64Array;
  private readonly statSlots: Float32Array[];

  constructor(readonly buffers: SharedBuffers) {
    const { layout } = buffers;
    this.control = new Int32Array(buffers.control);
    this.scalars = new Float64Array(buffers.scalars);
    this.x = new Float32Array(buffers.x);
    this.y = new Int32Array(buffers.y);
    this.seeds = new Int32Array(buffers.seeds);
    this.targets = new Float32Array(buffers.targets);
    this.weights = new Float32Array(buffers.weights);
    this.adam = new AdamMemory(buffers.adam.layout, buffers.adam.memory);
    this.results = new Float64Array(buffers.results);
    const s = Math.max(1, layout.stats);
    this.statSlots = Array.from({ length: layout.workers }, (_, w) => new Float32Array(buffers.stats, 4 * w * s, layout.stats));
  }

  gradient(worker: number): Float32Array {
    return this.adam.gradient(worker);
  }

  stats(worker: number): Float32Array {
    return this.statSlots[worker]!;
  }

  /** Waits until the counter at `index` reaches `target`, after adding this thread's arrival. */
  arrive(index: number, target: number): void {
    const c = this.control;
    if (Atomics.add(c, index, 1) + 1 >= target) {
      Atomics.notify(c, index);
      return;
    }
    for (let seen = Atomics.load(c, index); seen < target; seen = Atomics.load(c, index)) {
      if (Atomics.load(c, CTRL.failed) !== 0) throw new Error('data-parallel training: another thread failed');
      Atomics.wait(c, index, seen, 1000);
    }
  }
}

/** Rows [start, end) of a batch of n that thread `w` of `workers` computes. */
export function shareOf(n: number, workers: number, w: number): [number, number] {
  return [Math.floor((w * n) / workers), Math.floor(((w + 1) * n) / workers)];
}

/** Worker w's dropout seed for one layer: thread 0 keeps the main seed, so one thread means today's masks. */
export function workerSeed(seed: number, w: number): number {
  return w === 0 ? seed : (seed + Math.imul(w, 0x9e3779b1)) >>> 1;
}

/** The threads whose share of a batch of n is not empty, in thread order. */
export function activeThreads(n: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, w) => w).filter((w) => {
    const [lo, hi] = shareOf(n, workers, w);
    return hi > lo;
  });
}

/** The mean of these threads' moving statistics, summed in thread order (one thread: its own, unchanged). */
export function averageStats(views: SharedViews, threads: readonly number[], out: Float32Array): void {
  out.set(views.stats(threads[0]!));
  if (threads.length === 1) return;
  for (const w of threads.slice(1)) {
    const s = views.stats(w);
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]! + s[i]!);
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]! / threads.length);
}
