// The seeded generator's contract: a seed fixes the stream (pinned values), uniform in [0, 1), normal
// with mean 0 and variance 1 (Box-Muller pairs), int in [0, n), and a Fisher-Yates shuffle that is a
// seeded permutation reaching every order.
import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from '../../core/random.js';

describe('createRng', () => {
  it('is mulberry32 seeded with seed ^ 0x9e3779b9: the first values are pinned', () => {
    // Reference: the same mulberry32 step written out here, independently of the module.
    const reference = (seed: number, count: number): number[] => {
      let a = (seed >>> 0) ^ 0x9e3779b9;
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out.push(((t ^ (t >>> 14)) >>> 0) / 4294967296);
      }
      return out;
    };
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const rng = createRng(seed);
      expect(Array.from({ length: 5 }, () => rng.next())).toEqual(reference(seed, 5));
    }
  });

  it('different seeds give different streams; the same seed the same one', () => {
    const take = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 4 }, () => rng.next());
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('next() stays in [0, 1) with mean 1/2; int(n) covers 0..n-1 and nothing else', () => {
    const rng = createRng(3);
    let [sum, min, max] = [0, 1, 0];
    const counts = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const u = rng.next();
      [sum, min, max] = [sum + u, Math.min(min, u), Math.max(max, u)];
      const k = rng.int(3);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 6000).toBeCloseTo(0.5, 1);
    expect([...counts.keys()].sort()).toEqual([0, 1, 2]);
    expect([...counts.values()].every((c) => c > 1800 && c < 2200)).toBe(true);
  });

  it('normal(): Box-Muller pairs (cos then sin of one draw), mean 0, variance 1', () => {
    const a = createRng(11);
    const b = createRng(11);
    const u = b.next();
    const v = b.next();
    const r = Math.sqrt(-2 * Math.log(u));
    expect(a.normal()).toBeCloseTo(r * Math.cos(2 * Math.PI * v), 12);
    expect(a.normal()).toBeCloseTo(r * Math.sin(2 * Math.PI * v), 12);
    // The pair used two uniforms; the next normal draws two fresh ones.
    expect(a.next()).toBe(b.next());

    const rng = createRng(5);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });
});

describe('shuffleInPlace', () => {
  it('permutes in place and returns the same array; a seed repeats the order', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffleInPlace(items, createRng(1));
    expect(out).toBe(items);
    expect([...out].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createRng(1))).toEqual(out);
  });

  it('reaches all 6 orders of 3 items about equally often, the last item included', () => {
    const rng = createRng(9);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = shuffleInPlace(['a', 'b', 'c'], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['abc', 'acb', 'bac', 'bca', 'cab', 'cba']);
    for (const c of counts.values()) expect(c).toBeGreaterThan(850);
  });

  it('leaves 0 and 1 items as they are', () => {
    expect(shuffleInPlace([], createRng(1))).toEqual([]);
    expect(shuffleInPlace(['x'], createRng(1))).toEqual(['x']);
  });
});
