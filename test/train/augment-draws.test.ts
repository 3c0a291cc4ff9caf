// Augmentation with a scripted rng: each draw maps to the documented factor, shift and noise, the
// interpolation is exact between samples, edges are held, options are checked at their boundaries,
// and a switched-off batch neither changes nor draws.
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../core/random.js';
import { addNoise, augmentBatch, augmentBeat, isAugmentationOff, NO_AUGMENTATION, timeScale, timeShift, validateAugmentOptions } from '../../train/augment.js';

/** An rng that replays the given uniforms, ints and normals, and counts the draws. */
function scripted(next: number[], ints: number[] = [], normals: number[] = []): Rng & { draws: () => number; intArgs: number[] } {
  let draws = 0;
  const intArgs: number[] = [];
  return {
    next: () => (draws++, next.shift() ?? 0.5),
    int: (n) => (draws++, intArgs.push(n), ints.shift() ?? 0),
    normal: () => (draws++, normals.shift() ?? 0),
    draws: () => draws,
    intArgs,
  };
}

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 10);

describe('timeScale / timeShift', () => {
  it('stretching by 2 samples halfway between the original points about the centre', () => {
    // length 5, centre 2: out[i] = s(2 + (i - 2) / 2) = s(1), s(1.5), s(2), s(2.5), s(3)
    expect(Array.from(timeScale(ramp(5), 2))).toEqual([10, 15, 20, 25, 30]);
  });

  it('compressing by 2 holds the edge values outside the beat', () => {
    // out[i] = s(2 + 2 (i - 2)) = s(-2), s(0), s(2), s(4), s(6) -> held at 0 and 40
    expect(Array.from(timeScale(ramp(5), 0.5))).toEqual([0, 0, 20, 40, 40]);
    // length 4, centre 1.5: s(-1.5), s(0.5), s(2.5), s(4.5)
    expect(Array.from(timeScale(ramp(4), 0.5))).toEqual([0, 5, 25, 30]);
  });

  it('returns a copy at factor 1 and refuses a factor <= 0 or NaN', () => {
    const s = ramp(4);
    const same = timeScale(s, 1);
    expect(same).not.toBe(s);
    expect(Array.from(same)).toEqual(Array.from(s));
    for (const bad of [0, -1, NaN]) expect(() => timeScale(s, bad)).toThrow(`time-scale factor must be > 0, got ${bad}`);
  });

  it('rounds a fractional shift and repeats the edges', () => {
    expect(Array.from(timeShift(ramp(5), 1.6))).toEqual([0, 0, 0, 10, 20]);
    expect(Array.from(timeShift(ramp(5), -1.4))).toEqual([10, 20, 30, 40, 40]);
    expect(Array.from(timeShift(ramp(3), 5))).toEqual([0, 0, 0]);
  });

  it('addNoise adds std * normal() to each sample and leaves the input alone', () => {
    const s = ramp(3);
    const out = addNoise(s, 0.5, scripted([], [], [1, -2, 4]));
    expect(Array.from(out)).toEqual([0.5, 9, 22]);
    expect(Array.from(s)).toEqual([0, 10, 20]);
    const rng = scripted([]);
    expect(Array.from(addNoise(s, 0, rng))).toEqual([0, 10, 20]);
    expect(rng.draws()).toBe(0);
  });
});

describe('augmentBeat', () => {
  it('factor = 1 + scale * (2u - 1): u = 1 stretches by 1 + scale, u = 0 compresses by 1 - scale', () => {
    const s = ramp(5);
    const opts = { scale: 0.5, shift: 0, noise: 0, probability: 1 };
    expect(Array.from(augmentBeat(s, opts, scripted([1])))).toEqual(Array.from(timeScale(s, 1.5)));
    expect(Array.from(augmentBeat(s, opts, scripted([0])))).toEqual(Array.from(timeScale(s, 0.5)));
  });

  it('shift drawn as int(2 max + 1) - max with max = round(shift * length)', () => {
    const s = ramp(10);
    const opts = { scale: 0, shift: 0.25, noise: 0, probability: 1 }; // max = round(2.5) = 3
    const rng = scripted([], [6]);
    expect(Array.from(augmentBeat(s, opts, rng))).toEqual(Array.from(timeShift(s, 3)));
    expect(rng.intArgs).toEqual([7]);
    expect(Array.from(augmentBeat(s, opts, scripted([], [0])))).toEqual(Array.from(timeShift(s, -3)));
  });

  it('scale, then shift, then noise, in that order of draws', () => {
    const s = ramp(10);
    const out = augmentBeat(s, { scale: 0.2, shift: 0.1, noise: 2, probability: 1 }, scripted([1], [2], Array(10).fill(0.5)));
    const expected = timeShift(timeScale(s, 1.2), 1).map((v) => v + 1);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('with every strength 0 it returns a copy, never the input itself', () => {
    const s = ramp(4);
    const out = augmentBeat(s, NO_AUGMENTATION, scripted([]));
    expect(out).not.toBe(s);
    expect(Array.from(out)).toEqual(Array.from(s));
  });
});

describe('augmentBatch', () => {
  it('augments beat i when its uniform is below the probability, and only that beat', () => {
    const x = Float32Array.from([0, 10, 20, 30, 40, 50]);
    const opts = { scale: 0, shift: 0, noise: 1, probability: 0.5 };
    // beat 0: u = 0.7 (kept); beat 1: u = 0.2 (augmented, noise 1, 1, 1); beat 2: u = 0.5 (kept: not below)
    const out = augmentBatch(x, 3, 2, opts, scripted([0.7, 0.2, 0.5], [], [1, 1]));
    expect(Array.from(out)).toEqual([0, 10, 21, 31, 40, 50]);
    expect(Array.from(x)).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('switched off (probability 0, or every strength 0): a copy, and no draws', () => {
    const x = ramp(6);
    for (const o of [NO_AUGMENTATION, { scale: 0.1, shift: 0.1, noise: 0.1, probability: 0 }, { scale: 0, shift: 0, noise: 0, probability: 1 }]) {
      const rng = scripted([]);
      const out = augmentBatch(x, 3, 2, o, rng);
      expect(out).not.toBe(x);
      expect(Array.from(out)).toEqual(Array.from(x));
      expect(rng.draws()).toBe(0);
    }
  });

  it('isAugmentationOff: off only when probability is 0 or all three strengths are 0', () => {
    expect(isAugmentationOff({ scale: 0, shift: 0, noise: 0, probability: 1 })).toBe(true);
    expect(isAugmentationOff({ scale: 0.1, shift: 0.1, noise: 0.1, probability: 0 })).toBe(true);
    expect(isAugmentationOff({ scale: 0.1, shift: 0, noise: 0, probability: 1 })).toBe(false);
    expect(isAugmentationOff({ scale: 0, shift: 0.1, noise: 0, probability: 1 })).toBe(false);
    expect(isAugmentationOff({ scale: 0, shift: 0, noise: 0.1, probability: 1 })).toBe(false);
  });
});

describe('validateAugmentOptions', () => {
  const ok = { scale: 0, shift: 0, noise: 0, probability: 0 };
  it('accepts the boundaries 0 and probability 1', () => {
    expect(validateAugmentOptions(ok)).toBeUndefined();
    expect(validateAugmentOptions({ scale: 0.99, shift: 0.99, noise: 5, probability: 1 })).toBeUndefined();
  });

  it.each([
    [{ scale: 1 }, 'augmentation scale must be in [0, 1), got 1'],
    [{ scale: -0.1 }, 'augmentation scale must be in [0, 1), got -0.1'],
    [{ scale: NaN }, 'augmentation scale must be in [0, 1), got NaN'],
    [{ shift: 1 }, 'augmentation shift must be in [0, 1), got 1'],
    [{ shift: -0.1 }, 'augmentation shift must be in [0, 1), got -0.1'],
    [{ noise: -0.1 }, 'augmentation noise must be >= 0, got -0.1'],
    [{ noise: Infinity }, 'augmentation noise must be >= 0, got Infinity'],
    [{ probability: 1.5 }, 'augmentation probability must be in [0, 1], got 1.5'],
    [{ probability: -0.5 }, 'augmentation probability must be in [0, 1], got -0.5'],
  ])('refuses %j', (bad, message) => {
    expect(validateAugmentOptions({ ...ok, ...bad })).toBe(message);
  });
});
