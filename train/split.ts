// The validation protocol. The paper says "80% train / 20% validation" of the 500 UCR training
// series and tests on the 4,500 UCR test series. Two protocols, chosen with --split:
//   holdout (default): a stratified, seeded 80/20 split of TRAIN; validation picks the best epoch.
//   full: train on all of TRAIN for a fixed epoch count chosen beforehand with holdout runs;
//         there is no validation set, so the last epoch's weights are kept.
// The test set is never used for any choice.
import { createRng, InvalidInputError, shuffleInPlace } from '@ecg-onnx/core';

export const SPLIT_PROTOCOLS = ['holdout', 'full'] as const;
export type SplitProtocol = (typeof SPLIT_PROTOCOLS)[number];

export interface SplitIndices {
  train: number[];
  validation: number[];
}

/**
 * Per class: shuffle with the seed, then put round(n * validationFraction) rows in validation
 * (at least 1 when the class has 2+ rows, so every class is seen in both parts where possible).
 * Both lists come back in ascending order so the split does not depend on class order.
 */
export function stratifiedSplit(labels: ArrayLike<number>, validationFraction: number, seed: number): SplitIndices {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new InvalidInputError(undefined, `validation fraction must be between 0 and 1 (exclusive), got ${validationFraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const rng = createRng(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const k of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffleInPlace(byClass.get(k)!, rng);
    let take = Math.round(rows.length * validationFraction);
    if (take === 0 && rows.length >= 2) take = 1;
    if (take === rows.length) take = rows.length - 1;
    validation.push(...rows.slice(0, take));
    train.push(...rows.slice(take));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** Indices for a protocol: holdout = stratified split; full = every row trains, no validation. */
export function splitForProtocol(protocol: SplitProtocol, labels: ArrayLike<number>, validationFraction: number, seed: number): SplitIndices {
  if (protocol === 'full') return { train: Array.from({ length: labels.length }, (_, i) => i), validation: [] };
  return stratifiedSplit(labels, validationFraction, seed);
}
