// DynamicBatcher with a recording runner: merging, the maxBatch cap, oversized requests, failures
// confined to their batch, drain, and the no-batching baseline.
import { describe, expect, it } from 'vitest';
import { DynamicBatcher, type PackedRunner } from '../../runtime-node/server/batcher.js';

const WIDTH = 3;
const OUT = 2;

/** Output row for a beat = [sum of its values, its first value]: each request can check its own rows. */
function recordingRunner(fail?: (n: number) => boolean): { run: PackedRunner; runs: number[] } {
  const runs: number[] = [];
  const run: PackedRunner = async (packed, n) => {
    runs.push(n);
    await new Promise((r) => setTimeout(r, 5));
    if (fail?.(n)) throw new Error(`run of ${n} failed`);
    const out = new Float32Array(n * OUT);
    for (let i = 0; i < n; i++) {
      const beat = packed.subarray(i * WIDTH, (i + 1) * WIDTH);
      out[i * OUT] = beat.reduce((a, b) => a + b, 0);
      out[i * OUT + 1] = beat[0]!;
    }
    return out;
  };
  return { run, runs };
}

/** n beats whose values identify request r and beat i. */
function request(r: number, n: number): Float32Array {
  return Float32Array.from({ length: n * WIDTH }, (_, j) => r * 100 + Math.floor(j / WIDTH));
}
const expectedRows = (r: number, n: number) => Array.from({ length: n }, (_, i) => [3 * (r * 100 + i), r * 100 + i]).flat();

describe('DynamicBatcher', () => {
  it('merges concurrent requests into runs of at most maxBatch and splits the answers back', async () => {
    const { run, runs } = recordingRunner();
    const b = new DynamicBatcher({ run, width: WIDTH, outputWidth: OUT, maxBatch: 8, maxWaitMs: 20 });
    const sizes = [1, 3, 2, 4, 1, 1, 2, 3, 1, 2];
    const answers = await Promise.all(sizes.map((n, r) => b.submit(request(r, n), n)));
    answers.forEach((a, r) => expect(Array.from(a)).toEqual(expectedRows(r, sizes[r]!)));
    expect(runs.reduce((a, n) => a + n, 0)).toBe(20);
    expect(runs.every((n) => n <= 8)).toBe(true);
    expect(runs.length).toBeLessThan(sizes.length);
    expect(runs.length).toBeGreaterThanOrEqual(3); // 20 beats cannot fit in fewer runs of 8
  });

  it('a request larger than maxBatch runs on its own', async () => {
    const { run, runs } = recordingRunner();
    const b = new DynamicBatcher({ run, width: WIDTH, outputWidth: OUT, maxBatch: 4, maxWaitMs: 10 });
    const [big, small] = await Promise.all([b.submit(request(1, 9), 9), b.submit(request(2, 1), 1)]);
    expect(Array.from(big)).toEqual(expectedRows(1, 9));
    expect(Array.from(small)).toEqual(expectedRows(2, 1));
    expect(runs).toEqual([9, 1]);
  });

  it('a failing run rejects only the requests in that batch', async () => {
    const { run, runs } = recordingRunner((n) => n === 2);
    const b = new DynamicBatcher({ run, width: WIDTH, outputWidth: OUT, maxBatch: 2, maxWaitMs: 10 });
    const results = await Promise.allSettled([b.submit(request(1, 1), 1), b.submit(request(2, 1), 1), b.submit(request(3, 1), 1)]);
    expect(runs).toEqual([2, 1]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(Array.from((results[2] as PromiseFulfilledResult<Float32Array>).value)).toEqual(expectedRows(3, 1));
  });

  it('drain runs what is queued without waiting for the timer', async () => {
    const { run, runs } = recordingRunner();
    const b = new DynamicBatcher({ run, width: WIDTH, outputWidth: OUT, maxBatch: 64, maxWaitMs: 600_000 });
    const pending = [b.submit(request(1, 2), 2), b.submit(request(2, 1), 1)];
    await b.drain();
    expect(runs).toEqual([3]);
    expect((await Promise.all(pending)).map((a) => Array.from(a))).toEqual([expectedRows(1, 2), expectedRows(2, 1)]);
    await b.drain(); // idle: resolves at once
  }, 30_000);

  it('enabled: false runs every request on its own', async () => {
    const { run, runs } = recordingRunner();
    const b = new DynamicBatcher({ run, width: WIDTH, outputWidth: OUT, maxBatch: 64, maxWaitMs: 50, enabled: false });
    const answers = await Promise.all([1, 2, 3].map((n, r) => b.submit(request(r, n), n)));
    answers.forEach((a, r) => expect(Array.from(a)).toEqual(expectedRows(r, r + 1)));
    expect(runs).toEqual([1, 2, 3]);
  });
});
