// What every data-parallel thread does in one training step, main thread and workers alike, so the
// replicas run the very same code: gradient of its share, barrier, Adam over its slice of the summed
// gradient and the mean of the threads' BatchNorm statistics, barrier, copy the shared parameters and
// that mean into its model.
import { FusedAdam } from '../fused-adam.js';
import type { Replica } from '../replica.js';
import { activeThreads, averageStats, CTRL, EXTRAS, shareOf, workerSeed, type SharedViews } from './shared-state.js';

export interface StepTimes {
  gradient: number;
  waitForGradients: number;
  adam: number;
  waitForAdam: number;
  write: number;
  steps: number;
}

export class ThreadStep {
  private readonly adam: FusedAdam;
  /** This thread's slice of the parameters, in whole SIMD lanes. */
  private readonly slice: [number, number];
  private readonly averaged: Float32Array;
  private readonly seeds: number[];
  private steps = 0;
  private predictions = 0;
  /** Milliseconds this thread spent in each phase, summed over steps (bench:train --profile prints them). */
  readonly time: StepTimes = { gradient: 0, waitForGradients: 0, adam: 0, waitForAdam: 0, write: 0, steps: 0 };

  constructor(
    private readonly views: SharedViews,
    private readonly replica: Replica,
    private readonly thread: number,
    learningRate: number,
  ) {
    const { workers, stats } = views.buffers.layout;
    this.adam = new FusedAdam(views.adam, { learningRate });
    const [lo, hi] = shareOf(views.adam.layout.padded / 4, workers, thread);
    this.slice = [4 * lo, 4 * hi];
    this.averaged = new Float32Array(stats);
    this.seeds = new Array<number>(replica.dropoutCount).fill(0);
  }

  /** This thread's share of the inference the main thread published (batch = beats), then the barrier; with EXTRAS.sync a worker first takes thread 0's weights. */
  predict(x: Float32Array, probs: Float32Array): void {
    const { views, replica, thread } = this;
    const { workers, width, classes } = views.buffers.layout;
    const n = Atomics.load(views.control, CTRL.batch);
    if (thread !== 0 && Atomics.load(views.control, CTRL.extras) & EXTRAS.sync) {
      replica.writeParams(views.adam.params); // thread 0's weights after training (best epoch, temperature)
      if (views.buffers.layout.stats > 0) replica.writeStats(views.stats(0));
    }
    const [lo, hi] = shareOf(n, workers, thread);
    if (hi > lo) replica.predictInto(x.subarray(lo * width, hi * width), hi - lo, probs.subarray(lo * classes, hi * classes));
    this.predictions++;
    views.arrive(CTRL.predicted, workers * this.predictions);
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
    const t0 = performance.now();
    if (hi > lo) {
      const extras = Atomics.load(views.control, CTRL.extras);
      const k = views.buffers.layout.classes;
      result = replica.gradients(views.x.subarray(lo * width, hi * width), views.y.subarray(lo, hi), hi - lo, (hi - lo) / n, views.gradient(thread), {
        targets: extras & EXTRAS.targets ? views.targets.subarray(lo * k, hi * k) : undefined,
        weights: extras & EXTRAS.weights ? views.weights.subarray(lo, hi) : undefined,
      });
      replica.readStats(views.stats(thread));
    } else {
      views.gradient(thread).fill(0); // a batch smaller than the thread count: this share is empty
    }
    views.results[2 * thread] = result.loss;
    views.results[2 * thread + 1] = result.hits;
    const t1 = performance.now();
    views.arrive(CTRL.arrivedA, workers * this.steps);
    const t2 = performance.now();
    this.adam.learningRate = views.scalars[0]!;
    this.adam.step(...this.slice); // sums the threads' gradient slots in thread order as it goes
    // Read the statistics slots before barrier B: once a thread is past B it may start the next step
    // and overwrite its slot while a slower thread still reads this step's.
    if (this.averaged.length > 0) averageStats(views, activeThreads(n, workers), this.averaged);
    const t3 = performance.now();
    views.arrive(CTRL.arrivedB, workers * this.steps);
    const t4 = performance.now();
    replica.writeParams(views.adam.params);
    if (this.averaged.length > 0) replica.writeStats(this.averaged);
    const t = this.time;
    t.gradient += t1 - t0;
    t.waitForGradients += t2 - t1;
    t.adam += t3 - t2;
    t.waitForAdam += t4 - t3;
    t.write += performance.now() - t4;
    t.steps++;
    return result;
  }
}
