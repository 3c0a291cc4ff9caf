// Recipe selection by cross-validation on TRAIN alone (`ecg tune`): a small, documented search over what
// the paper leaves open. Stage A crosses the training protocol (the paper's 20 constant-rate epochs with a
// holdout split, or 40 cosine epochs on every series), BatchNorm momentum and dropout; stage B changes one
// thing at a time from A's winner (learning rate, augmentation off or stronger, balanced class weights,
// more epochs); stage C combines the B changes that helped. The winner's out-of-fold predictions fit its
// temperature, and K-member ensembles of it are cross-validated for theirs. The TEST file is never opened.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fitTemperature } from '@ecg-onnx/core';
import type { BackendName } from './backend.js';
import { combineRepeats, crossValidate, repeatedTruth, repeatSeed, type CvScore } from './cross-validation.js';
import { loadUcrTrainOnly } from './data.js';
import { readCached, writeCached, type CvKey } from './tune-cache.js';
import { PAPER_RECIPE, resolveRecipe, type Recipe, type RecipeOverrides } from './options.js';

export interface Candidate {
  name: string;
  overrides: RecipeOverrides;
}

const STRONG_AUGMENT = Object.freeze({ scale: 0.15, shift: 0.1, noise: 0.1, probability: 0.8 });
const OFF = Object.freeze({ scale: 0, shift: 0, noise: 0, probability: 0 });

/** Stage A: protocol x BatchNorm momentum x dropout (8 candidates). */
export function stageA(): Candidate[] {
  const protocols: Candidate[] = [
    { name: 'paper protocol (20 ep, constant, holdout)', overrides: {} },
    { name: '40 ep cosine, all TRAIN', overrides: { epochs: 40, schedule: 'cosine', split: 'full' } },
  ];
  return protocols.flatMap((p) =>
    [0.99, 0.9].flatMap((bnMomentum) =>
      [0.3, 0.5].map((dropout) => ({ name: `${p.name}, BN ${bnMomentum}, dropout ${dropout}`, overrides: { ...p.overrides, bnMomentum, dropout } })),
    ),
  );
}

/** Stage B: one change at a time from `base`. */
export function stageB(base: Candidate): Candidate[] {
  const epochs = Math.round(1.5 * (base.overrides.epochs ?? PAPER_RECIPE.epochs));
  const changes: [string, RecipeOverrides][] = [
    ['lr 3e-3', { learningRate: 3e-3 }],
    ['no augmentation', { augment: { ...OFF } }],
    ['stronger augmentation', { augment: { ...STRONG_AUGMENT } }],
    ['balanced class weights', { classWeight: 'balanced' }],
    [`${epochs} epochs`, { epochs }],
  ];
  return changes.map(([what, o]) => ({ name: `${base.name} + ${what}`, overrides: { ...base.overrides, ...o } }));
}

export interface TunedCandidate extends Candidate {
  stage: 'A' | 'B' | 'C';
  accuracy: number;
  macroF1: number;
  nll: number;
  foldAccuracies: number[];
}

export interface TuneReport {
  trainFile: string;
  folds: number;
  /** Cross-validations per candidate, each with its own folds (1: plain k-fold). */
  repeats: number;
  seed: number;
  candidates: TunedCandidate[];
  winner: TunedCandidate & { recipe: Recipe; temperature: number };
  ensemble?: { members: number; accuracy: number; macroF1: number; foldAccuracies: number[]; temperature: number };
  seconds: number;
}

export interface TuneOptions {
  dataDir: string;
  folds: number;
  /** Repeated k-fold: this many cross-validations per candidate with different folds, scores averaged (default 1). */
  repeats?: number;
  seed: number;
  workers: number;
  backend: BackendName;
  /** Cross-validate ensembles of the winner with this many members (0 or 1: skip). */
  ensemble: number;
  /** Try exactly these (no stages); default: stages A, B, C. */
  candidates?: Candidate[];
  /** Caps every candidate's epochs (quick checks of the machinery, not a real search). */
  maxEpochs?: number;
  /** A directory of finished results (tune-cache.ts): reused when the key matches, added to otherwise. */
  cache?: string;
  log?: (line: string) => void;
}

/** Higher CV accuracy wins, then higher macro F1 (the rare classes); a full tie keeps the one tried first. */
export function better(a: TunedCandidate, b: TunedCandidate): TunedCandidate {
  if (a.accuracy !== b.accuracy) return a.accuracy > b.accuracy ? a : b;
  return b.macroF1 > a.macroF1 ? b : a;
}

export async function tune(o: TuneOptions): Promise<TuneReport> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const { spec, train, file } = await loadUcrTrainOnly(o.dataDir);
  const data = createHash('sha256').update(await readFile(file)).digest('hex');
  const repeats = o.repeats ?? 1;
  /** crossValidate through the cache (one entry per repeat), when there is one; R repeats combined. */
  const validate = async (recipe: Recipe, members: number): Promise<CvScore> => {
    const scores: CvScore[] = [];
    for (let r = 0; r < repeats; r++) {
      const seed = repeatSeed(o.seed, r);
      if (repeats > 1) log(`  repeat ${r + 1}/${repeats} (fold seed ${seed})`);
      const key: CvKey = { data, recipe, folds: o.folds, seed, workers: o.workers, backend: o.backend, members };
      const cached = o.cache === undefined ? undefined : await readCached(o.cache, key);
      if (cached) log(`  (cached in ${o.cache})`);
      const score = cached ?? (await crossValidate(train, spec, recipe, { folds: o.folds, seed, workers: o.workers, backend: o.backend, members, log }));
      if (!cached && o.cache !== undefined) await writeCached(o.cache, key, score);
      scores.push(score);
    }
    return combineRepeats(scores);
  };
  const truth = repeatedTruth(train.y, repeats);
  log(`cross-validating on ${file} only (${train.count} series, ${o.folds} stratified folds${repeats > 1 ? ` x ${repeats} repeats` : ''}, seed ${o.seed}); the TEST file is not opened`);
  const tried: TunedCandidate[] = [];
  const scores = new Map<TunedCandidate, CvScore>();
  const run = async (c: Candidate, stage: TunedCandidate['stage']): Promise<TunedCandidate> => {
    log(`\n[${stage}] ${c.name}`);
    const recipe = resolveRecipe('paper', c.overrides);
    if (o.maxEpochs !== undefined) recipe.epochs = Math.min(recipe.epochs, o.maxEpochs);
    const score = await validate(recipe, 1);
    const t: TunedCandidate = { ...c, stage, accuracy: score.accuracy, macroF1: score.macroF1, nll: score.nll, foldAccuracies: score.foldAccuracies };
    log(`  CV accuracy ${(100 * t.accuracy).toFixed(2)}%, macro F1 ${t.macroF1.toFixed(4)}, NLL ${t.nll.toFixed(4)}`);
    tried.push(t);
    scores.set(t, score);
    return t;
  };
  if (o.candidates) {
    let best: TunedCandidate | undefined;
    for (const c of o.candidates) best = best ? better(best, await run(c, 'A')) : await run(c, 'A');
    return finish(best!);
  }
  let bestA: TunedCandidate | undefined;
  for (const c of stageA()) {
    const t = await run(c, 'A');
    bestA = bestA ? better(bestA, t) : t;
  }
  const helped: TunedCandidate[] = [];
  let best = bestA!;
  for (const c of stageB(bestA!)) {
    const t = await run(c, 'B');
    if (t.accuracy > bestA!.accuracy) helped.push(t);
    best = better(best, t);
  }
  if (helped.length >= 2) {
    const overrides = helped.reduce<RecipeOverrides>((acc, h) => ({ ...acc, ...h.overrides }), { ...bestA!.overrides });
    best = better(best, await run({ name: `${bestA!.name} + ${helped.map((h) => h.name.slice(bestA!.name.length + 3)).join(' + ')}`, overrides }, 'C'));
  }
  return finish(best);

  async function finish(best: TunedCandidate): Promise<TuneReport> {
    const temperature = fitTemperature(scores.get(best)!.oof, truth, spec.classes.length);
    const recipe = resolveRecipe('paper', best.overrides);
    if (o.maxEpochs !== undefined) recipe.epochs = Math.min(recipe.epochs, o.maxEpochs);
    log(`\nwinner: ${best.name}: CV accuracy ${(100 * best.accuracy).toFixed(2)}%; temperature ${temperature.toFixed(3)} from its out-of-fold predictions`);
    const report: TuneReport = { trainFile: file, folds: o.folds, repeats, seed: o.seed, candidates: tried, winner: { ...best, recipe, temperature }, seconds: 0 };
    if (o.ensemble >= 2) {
      log(`\n[ensemble] ${o.ensemble} members of the winner per fold`);
      const score = await validate(recipe, o.ensemble);
      const temperature = fitTemperature(score.oof, truth, spec.classes.length);
      log(`  CV accuracy ${(100 * score.accuracy).toFixed(2)}%, macro F1 ${score.macroF1.toFixed(4)}; ensemble temperature ${temperature.toFixed(3)}`);
      report.ensemble = { members: o.ensemble, accuracy: score.accuracy, macroF1: score.macroF1, foldAccuracies: score.foldAccuracies, temperature };
    }
    report.seconds = (performance.now() - started) / 1000;
    return report;
  }
}
