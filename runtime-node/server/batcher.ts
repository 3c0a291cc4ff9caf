// Dynamic batching, as Triton does it: requests that arrive close together are merged into one
// session run (up to maxBatch beats, or whatever arrived within maxWaitMs of the first), and each
// request gets back exactly its own rows. onnxruntime-node runs on the event loop thread, so while
// one batch runs the next one fills up; it starts as soon as the previous run ends.

/** Runs packed beats ([n, width] row-major) and returns [n, outputWidth]. */
export type PackedRunner = (packed: Float32Array, n: number) => Promise<Float32Array>;

export interface BatcherOptions {
  run: PackedRunner;
  /** Values per beat (inputLength * channels). */
  width: number;
  /** Values per output row (classes). */
  outputWidth: number;
  /** Most beats merged into one run; a larger single request runs on its own. */
  maxBatch: number;
  /** How long the first queued request waits for others. */
  maxWaitMs: number;
  /** false: every request runs on its own (the baseline the benchmark compares against). */
  enabled?: boolean;
  /** Called with the beat count of every run. */
  onBatch?: (beats: number) => void;
  /** Called with the number of beats waiting whenever it changes. */
  onQueue?: (beats: number) => void;
}

interface Pending {
  packed: Float32Array;
  n: number;
  resolve: (out: Float32Array) => void;
  reject: (err: unknown) => void;
}

export class DynamicBatcher {
  private queue: Pending[] = [];
  private queuedBeats = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private flushNow = false;

  constructor(private readonly options: BatcherOptions) {}

  submit(packed: Float32Array, n: number): Promise<Float32Array> {
    if (this.options.enabled === false) {
      this.options.onBatch?.(n);
      return this.options.run(packed, n);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ packed, n, resolve, reject });
      this.queuedBeats += n;
      this.options.onQueue?.(this.queuedBeats);
      this.schedule();
    });
  }

  /** Runs what is queued without waiting for the timer, and resolves once nothing is queued or running. */
  drain(): Promise<void> {
    this.flushNow = true;
    if (!this.running && this.queue.length > 0) void this.flush();
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running) return; // the run in progress starts the next batch when it ends
    if (this.flushNow || this.queuedBeats >= this.options.maxBatch) {
      void this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.options.maxWaitMs);
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let beats = 0;
    while (this.queue.length > 0 && (batch.length === 0 || beats + this.queue[0]!.n <= this.options.maxBatch)) {
      const next = this.queue.shift()!;
      beats += next.n;
      batch.push(next);
    }
    this.queuedBeats -= beats;
    this.options.onQueue?.(this.queuedBeats);
    return batch;
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.take();
    const { width, outputWidth } = this.options;
    const total = batch.reduce((a, p) => a + p.n, 0);
    try {
      let packed = batch[0]!.packed;
      if (batch.length > 1) {
        packed = new Float32Array(total * width);
        let offset = 0;
        for (const p of batch) {
          packed.set(p.packed, offset * width);
          offset += p.n;
        }
      }
      this.options.onBatch?.(total);
      const out = await this.options.run(packed, total);
      let offset = 0;
      for (const p of batch) {
        p.resolve(out.slice(offset * outputWidth, (offset + p.n) * outputWidth));
        offset += p.n;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.running = false;
    }
    if (this.queue.length > 0) {
      // Whatever queued during the run has already waited that long: run it now.
      void this.flush();
    } else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
