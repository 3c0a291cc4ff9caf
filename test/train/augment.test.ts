// Properties of each augmentation: length kept, zero strength = identity, the transform does what
// its name says (a shift moves the peak, scaling widens it, noise has the asked std), seeded repeats.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.js';
import {
  addNoise,
  augmentBatch,
  augmentBeat,
  DEFAULT_AUGMENT_OPTIONS,
  NO_AUGMENTATION,
  timeScale,
  timeShift,
  validateAugmentOptions,
} from '../../train/augment.js';

const L = 140;
/** A Gaussian bump centred at `at` with width `w`: a stand-in for an R peak. */
const bump = (at: number, w = 4) => Float32Array.from({ length: L }, (_, i) => Math.exp(-(((i - at) / w) ** 2)));
const peak = (s: Float32Array) => s.indexOf(Math.max(...s));
/** Samples above half the maximum: the bump's width. */
const halfWidth = (s: Float32Array) => s.filter((v) => v > Math.max(...s) / 2).length;
const random = (seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: L }, () => rng.normal());
};

describe('timeScale', () => {
  it('keeps the length and is the identity at factor 1', () => {
    const s = random(1);
    expect(timeScale(s, 1.2).length).toBe(L);
    expect(timeScale(s, 0.8).length).toBe(L);
    expect(Array.from(timeScale(s, 1))).toEqual(Array.from(s));
  });

  it('widens a peak when slower (> 1), narrows it when faster (< 1), keeping the centre fixed', () => {
    const s = bump(69.5, 6);
    expect(halfWidth(timeScale(s, 1.5))).toBeGreaterThan(halfWidth(s) * 1.3);
    expect(halfWidth(timeScale(s, 0.6))).toBeLessThan(halfWidth(s) * 0.75);
    expect(Math.abs(peak(timeScale(s, 1.5)) - 69.5)).toBeLessThanOrEqual(0.5);
  });

  it('pads with the edge values when compressing (no jump to zero)', () => {
    const ramp = Float32Array.from({ length: L }, (_, i) => 5 + i);
    const out = timeScale(ramp, 0.5);
    expect(out[0]).toBe(5);
    expect(out[L - 1]).toBe(5 + L - 1);
  });
});

describe('timeShift', () => {
  it('moves the peak by the shift, both ways, and keeps the length', () => {
    const s = bump(60);
    expect(peak(timeShift(s, 7))).toBe(67);
    expect(peak(timeShift(s, -9))).toBe(51);
    expect(timeShift(s, 7).length).toBe(L);
  });

  it('is the identity at shift 0 and repeats the edge value into the gap', () => {
    const s = random(2);
    expect(Array.from(timeShift(s, 0))).toEqual(Array.from(s));
    const out = timeShift(s, 5);
    for (let i = 0; i < 5; i++) expect(out[i]).toBe(s[0]);
    expect(out[5]).toBe(s[0]);
    expect(out[6]).toBe(s[1]);
  });
});

describe('addNoise', () => {
  it('adds zero-mean noise with the asked standard deviation', () => {
    const s = new Float32Array(20_000);
    const out = addNoise(s, 0.1, createRng(3));
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    const std = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / (out.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.097);
    expect(std).toBeLessThan(0.103);
  });

  it('is the identity at std 0 and does not modify its input', () => {
    const s = random(4);
    const copy = s.slice();
    expect(Array.from(addNoise(s, 0, createRng(1)))).toEqual(Array.from(s));
    addNoise(s, 0.5, createRng(1));
    expect(Array.from(s)).toEqual(Array.from(copy));
  });
});

describe('augmentBatch', () => {
  const batch = Float32Array.from({ length: 8 * L }, (_, i) => Math.sin(i / 7));

  it('same seed -> same output; another seed -> another output', () => {
    const a = augmentBatch(batch, 8, L, DEFAULT_AUGMENT_OPTIONS, createRng(5));
    const b = augmentBatch(batch, 8, L, DEFAULT_AUGMENT_OPTIONS, createRng(5));
    const c = augmentBatch(batch, 8, L, DEFAULT_AUGMENT_OPTIONS, createRng(6));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.length).toBe(batch.length);
  });

  it('leaves the batch as it is when switched off, and leaves the input untouched always', () => {
    const copy = batch.slice();
    expect(Array.from(augmentBatch(batch, 8, L, NO_AUGMENTATION, createRng(1)))).toEqual(Array.from(batch));
    augmentBatch(batch, 8, L, { ...DEFAULT_AUGMENT_OPTIONS, probability: 1 }, createRng(1));
    expect(Array.from(batch)).toEqual(Array.from(copy));
  });

  it('augments about `probability` of the beats', () => {
    const n = 400;
    const many = Float32Array.from({ length: n * L }, (_, i) => Math.sin(i / 5));
    const out = augmentBatch(many, n, L, { ...DEFAULT_AUGMENT_OPTIONS, probability: 0.5 }, createRng(9));
    let changed = 0;
    for (let i = 0; i < n; i++) if (out.subarray(i * L, (i + 1) * L).some((v, j) => v !== many[i * L + j])) changed++;
    expect(changed).toBeGreaterThan(0.4 * n);
    expect(changed).toBeLessThan(0.6 * n);
  });

  it('with only noise on, changes values but not the shape of a beat', () => {
    const s = bump(70);
    const out = augmentBeat(s, { scale: 0, shift: 0, noise: 0.01, probability: 1 }, createRng(2));
    expect(peak(out)).toBeGreaterThanOrEqual(69);
    expect(peak(out)).toBeLessThanOrEqual(71);
    expect(Array.from(out)).not.toEqual(Array.from(s));
  });

  it('validates strengths, naming the option', () => {
    expect(validateAugmentOptions(DEFAULT_AUGMENT_OPTIONS)).toBeUndefined();
    expect(validateAugmentOptions({ ...DEFAULT_AUGMENT_OPTIONS, scale: 1 })).toMatch(/scale/);
    expect(validateAugmentOptions({ ...DEFAULT_AUGMENT_OPTIONS, noise: -1 })).toMatch(/noise/);
    expect(validateAugmentOptions({ ...DEFAULT_AUGMENT_OPTIONS, probability: 2 })).toMatch(/probability/);
  });
});
