// Stratified k-fold cross-validation on the TRAIN series only: every series is predicted once, by the
// model trained on the other folds (out-of-fold predictions), so a recipe is scored without the test
// set, and a temperature can be fitted on held-out predictions. An ensemble recipe trains K members per
// fold and scores their mean.
import { argmax, calibrationReport, classificationReport, createRng, shuffleInPlace, type ModelSpec } from '@ecg-onnx/core';
import type { BackendName } from './backend.js';
import { selectRows, type LabelledBeats } from './data.js';
import { predictProbabilities } from './evaluate.js';
import type { Recipe } from './options.js';
import { splitForProtocol } from './split.js';
import { trainModel } from './train-model.js';

/** k folds of row indices, each class dealt round-robin after a seeded shuffle (rare classes spread out). */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) byClass.set(labels[i]!, [...(byClass.get(labels[i]!) ?? []), i]);
  const rng = createRng(seed);
  let next = 0; // continue the deal across classes so small classes do not all land in fold 0
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const row of shuffleInPlace(byClass.get(c)!, rng)) folds[next++ % k]!.push(row);
  }
  return folds.map((f) => f.sort((a, b) => a - b));
}

export interface CvOptions {
  folds: number;
  /** Seeds the folds; members use seed + fold * 1000 + member. */
  seed: number;
  workers: number;
  backend: BackendName;
  /** Members per fold (1 = a single model). */
  members?: number;
  log?: (line: string) => void;
}

export interface CvScore {
  accuracy: number;
  macroF1: number;
  nll: number;
  /** Accuracy of each fold. */
  foldAccuracies: number[];
  /** Out-of-fold probabilities, [n, K] in TRAIN row order: for each member when members > 1 (mean = ensemble). */
  oof: Float32Array[];
}

/** Cross-validates one recipe on `train`; never sees anything else. */
export async function crossValidate(train: LabelledBeats, spec: ModelSpec, recipe: Recipe, o: CvOptions): Promise<CvScore> {
  const k = spec.classes.length;
  const members = o.members ?? 1;
  const folds = stratifiedFolds(train.y, o.folds, o.seed);
  const oof = Array.from({ length: members }, () => new Float32Array(train.count * k));
  const foldAccuracies: number[] = [];
  for (const [f, heldOut] of folds.entries()) {
    const rest = folds.filter((_, j) => j !== f).flat().sort((a, b) => a - b);
    const inner = selectRows(train, rest);
    const split = splitForProtocol(recipe.split, inner.y, recipe.validationFraction, o.seed + f);
    const fitRows = selectRows(inner, split.train);
    const validation = split.validation.length ? selectRows(inner, split.validation) : undefined;
    const evalRows = selectRows(train, heldOut);
    const mean = new Float32Array(heldOut.length * k);
    for (let m = 0; m < members; m++) {
      const seed = o.seed + 1000 * f + m;
      const { model } = await trainModel({ spec, train: fitRows, validation, recipe, seed, workers: o.workers, backend: o.backend });
      try {
        const probs = predictProbabilities(model, evalRows);
        heldOut.forEach((row, i) => oof[m]!.set(probs.subarray(i * k, (i + 1) * k), row * k));
        probs.forEach((p, i) => (mean[i] = mean[i]! + p / members));
      } finally {
        model.dispose();
      }
    }
    let right = 0;
    heldOut.forEach((row, i) => (right += argmax(mean, i * k, k) === train.y[row] ? 1 : 0));
    foldAccuracies.push(right / heldOut.length);
    o.log?.(`  fold ${f + 1}/${o.folds}: ${right}/${heldOut.length} (${((100 * right) / heldOut.length).toFixed(1)}%)`);
  }
  const ensemble = members === 1 ? oof[0]! : oof[0]!.map((_, i) => oof.reduce((s, p) => s + p[i]!, 0) / members);
  const predicted = Array.from({ length: train.count }, (_, i) => argmax(ensemble, i * k, k));
  const report = classificationReport(train.y, predicted, spec.classes);
  return { accuracy: report.accuracy, macroF1: report.macroF1, nll: calibrationReport(ensemble, train.y, k).nll, foldAccuracies, oof };
}

/**
 * Repeated k-fold (scikit-learn's RepeatedStratifiedKFold): the scores of R cross-validations with
 * different folds, as one. Accuracy, macro F1 and NLL are the repeats' means; the out-of-fold
 * predictions are stacked row-wise (R x n rows, TRAIN order within each repeat) for `repeatedTruth`.
 */
export function combineRepeats(scores: readonly CvScore[]): CvScore {
  if (scores.length === 1) return scores[0]!;
  const mean = (f: (s: CvScore) => number) => scores.reduce((a, s) => a + f(s), 0) / scores.length;
  const oof = scores[0]!.oof.map((_, m) => {
    const out = new Float32Array(scores.reduce((n, s) => n + s.oof[m]!.length, 0));
    let at = 0;
    for (const s of scores) out.set(s.oof[m]!, (at += s.oof[m]!.length) - s.oof[m]!.length);
    return out;
  });
  return { accuracy: mean((s) => s.accuracy), macroF1: mean((s) => s.macroF1), nll: mean((s) => s.nll), foldAccuracies: scores.flatMap((s) => s.foldAccuracies), oof };
}

/** The labels of combineRepeats' stacked out-of-fold rows. */
export function repeatedTruth(y: ArrayLike<number>, repeats: number): Int32Array {
  const out = new Int32Array(y.length * repeats);
  for (let r = 0; r < repeats; r++) for (let i = 0; i < y.length; i++) out[r * y.length + i] = y[i]!;
  return out;
}

/** The seed of repeat r (repeat 0 is the plain k-fold of `seed`; members use up to seed + 1000 f + m). */
export const repeatSeed = (seed: number, r: number) => seed + 100 * r;
