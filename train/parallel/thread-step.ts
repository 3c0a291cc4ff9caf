// What every data-parallel thread does in one training step, main thread and workers alike, so the
// replicas run the very same code: gradient of its share, barrier, Adam over its slice of the summed
// gradient, barrier, copy the shared parameters and the averaged BatchNorm statistics into its model.
import { FusedAdam } from '../fused-adam.js';
import type { Replica } from '../replica.js';
import { activeThreads, averageStats, CTRL, shareOf, sumSlots, workerSeed, type SharedViews } from './shared-state.js';

export class ThreadStep {
  private readonly adam: FusedAdam;
  private readonly slice: [number, number];
  private readonly summed: Float32Array;
  private readonly averaged: Float32Array;
  private readonly seeds: number[];
  private steps = 0;

  constructor(
    private readonly views: SharedViews,
    private readonly replica: Replica,
    private readonly thread: number,
    learningRate: number,
  ) {
    const { workers, params, stats } = views.buffers.layout;
    this.adam = new FusedAdam(params, { learningRate }, views.adamM, views.adamV);
    this.slice = shareOf(params, workers, thread);
    this.summed = new Float32Array(params);
    this.averaged = new Float32Array(stats);
    this.seeds = new Array<number>(replica.dropoutCount).fill(0);
  }

  /** Runs the step the main thread published; returns this thread's share of loss and hits. */
  run(): { loss: number; hits: number } {
    const { views, replica, thread } = this;
    const { workers, width } = views.buffers.layout;
    const n = Atomics.load(views.control, CTRL.batch);
    const [lo, hi] = shareOf(n, workers, thread);
    this.steps++;
    for (let i = 0; i < this.seeds.length; i++) this.seeds[i] = workerSeed(views.seeds[i]!, thread);
    replica.setDropoutSeeds(this.seeds);
    let result = { loss: 0, hits: 0 };
    if (hi > lo) {
      result = replica.gradients(views.x.subarray(lo * width, hi * width), views.y.subarray(lo, hi), hi - lo, (hi - lo) / n, views.gradient(thread));
      replica.readStats(views.stats(thread));
    } else {
      views.gradient(thread).fill(0); // a batch smaller than the thread count: this share is empty
    }
    views.results[2 * thread] = result.loss;
    views.results[2 * thread + 1] = result.hits;
    views.arrive(CTRL.arrivedA, workers * this.steps);
    const [start, end] = this.slice;
    sumSlots(views, workers, start, end, this.summed);
    this.adam.learningRate = views.scalars[0]!;
    this.adam.update(views.params, this.summed, start, end);
    this.adam.finishStep();
    views.arrive(CTRL.arrivedB, workers * this.steps);
    replica.writeParams(views.params);
    if (this.averaged.length > 0) {
      averageStats(views, activeThreads(n, workers), this.averaged);
      replica.writeStats(this.averaged);
    }
    return result;
  }
}
