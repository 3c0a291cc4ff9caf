// The paper's three augmentations (time scaling, time shifting, additive Gaussian noise), applied
// to training batches only, drawn from a seeded rng so a run repeats. The paper gives no strengths;
// ours are documented defaults, each an option, each switched off by a strength of 0.
import type { Rng } from '@ecg-onnx/core';

export interface AugmentOptions {
  /** Max relative time-scale change: factor drawn uniformly from [1 - s, 1 + s]. 0 = off. Default 0.1. */
  scale: number;
  /** Max shift as a fraction of the beat length: shift drawn uniformly from +-round(f * length). 0 = off. Default 0.05. */
  shift: number;
  /** Std of the additive noise, in the data's units (UCR beats are z-normalised, so 0.05 = 5% of a beat's std). 0 = off. Default 0.05. */
  noise: number;
  /** Chance that a given training beat is augmented at all (the rest stay as recorded). Default 0.5. */
  probability: number;
}

export const DEFAULT_AUGMENT_OPTIONS: Readonly<AugmentOptions> = Object.freeze({ scale: 0.1, shift: 0.05, noise: 0.05, probability: 0.5 });
export const NO_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({ scale: 0, shift: 0, noise: 0, probability: 0 });

/** Linear interpolation of `series` at fractional position t, holding the edge values outside. */
function sampleAt(series: ArrayLike<number>, t: number): number {
  const last = series.length - 1;
  if (t <= 0) return series[0]!;
  if (t >= last) return series[last]!;
  const i = Math.floor(t);
  const frac = t - i;
  return series[i]! + frac * (series[i + 1]! - series[i]!);
}

/**
 * Resamples the beat `factor` times slower (> 1 stretches, < 1 compresses) about its centre and
 * crops/pads back to the same length; padding repeats the edge value so no step is introduced.
 */
export function timeScale(series: Float32Array, factor: number): Float32Array {
  if (!(factor > 0)) throw new RangeError(`time-scale factor must be > 0, got ${factor}`);
  if (factor === 1) return series.slice();
  const out = new Float32Array(series.length);
  const centre = (series.length - 1) / 2;
  for (let i = 0; i < out.length; i++) out[i] = sampleAt(series, centre + (i - centre) / factor);
  return out;
}

/** Moves the beat `shift` samples later (negative = earlier), repeating the edge value into the gap. */
export function timeShift(series: Float32Array, shift: number): Float32Array {
  const out = new Float32Array(series.length);
  const last = series.length - 1;
  for (let i = 0; i < out.length; i++) out[i] = series[Math.min(last, Math.max(0, i - Math.round(shift)))]!;
  return out;
}

/** Adds independent N(0, std^2) noise to every sample. */
export function addNoise(series: Float32Array, std: number, rng: Rng): Float32Array {
  const out = series.slice();
  if (std === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + std * rng.normal();
  return out;
}

export function isAugmentationOff(o: AugmentOptions): boolean {
  return o.probability === 0 || (o.scale === 0 && o.shift === 0 && o.noise === 0);
}

export function validateAugmentOptions(o: AugmentOptions): string | undefined {
  if (!(o.scale >= 0 && o.scale < 1)) return `augmentation scale must be in [0, 1), got ${o.scale}`;
  if (!(o.shift >= 0 && o.shift < 1)) return `augmentation shift must be in [0, 1), got ${o.shift}`;
  if (!(o.noise >= 0 && Number.isFinite(o.noise))) return `augmentation noise must be >= 0, got ${o.noise}`;
  if (!(o.probability >= 0 && o.probability <= 1)) return `augmentation probability must be in [0, 1], got ${o.probability}`;
  return undefined;
}

/** Augments one beat: scale, then shift, then noise, each drawn from `rng`. */
export function augmentBeat(series: Float32Array, o: AugmentOptions, rng: Rng): Float32Array {
  let out = series;
  if (o.scale > 0) out = timeScale(out, 1 + o.scale * (2 * rng.next() - 1));
  if (o.shift > 0) {
    const max = Math.round(o.shift * series.length);
    out = timeShift(out, rng.int(2 * max + 1) - max);
  }
  if (o.noise > 0) out = addNoise(out, o.noise, rng);
  return out === series ? series.slice() : out;
}

/** Augments a row-major [count, length] batch into a new array; the input is left untouched. */
export function augmentBatch(x: Float32Array, count: number, length: number, o: AugmentOptions, rng: Rng): Float32Array {
  const out = x.slice();
  if (isAugmentationOff(o)) return out;
  for (let i = 0; i < count; i++) {
    if (rng.next() >= o.probability) continue;
    out.set(augmentBeat(x.subarray(i * length, (i + 1) * length), o, rng), i * length);
  }
  return out;
}
