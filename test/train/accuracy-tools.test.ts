// The accuracy machinery on small real data: stratified folds, cross-validation that never needs the
// test file, class-weighted and soft-target loss, temperature folded into the model, ensembles
// (mean of the members) and distillation from one.
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTemperature } from '../../core/calibration.js';
import { initBackend } from '../../train/backend.js';
import { foldTemperature } from '../../train/calibration.js';
import { crossValidate, stratifiedFolds } from '../../train/cross-validation.js';
import { loadUcrTrainOnly } from '../../train/data.js';
import { trainEnsemble } from '../../train/ensemble.js';
import { ENSEMBLE_FILE, loadEnsemble } from '../../train/ensemble-model.js';
import { balancedClassWeights, crossEntropy, sqrtClassWeights } from '../../train/loss.js';
import { buildModel } from '../../train/model.js';
import { resolveRecipe } from '../../train/options.js';
import { trainAndSave } from '../../train/run.js';
import { tune } from '../../train/tune.js';
import { assertClose } from '../helpers/tolerances.js';

let tmp: string;
let trainOnly: string;
let small: string;
const QUICK = { epochs: 1, batchSize: 16 } as const;

beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(join(tmpdir(), 'ecg-accuracy-'));
  const lines = (await readFile('data/ECG5000/ECG5000_TRAIN.tsv', 'utf8')).trim().split('\n');
  // 60 series with every class: the rare ones (3, 4, 5) first, then the common ones.
  const pick = ['3', '4', '5', '1', '2'].flatMap((l) => lines.filter((r) => r.split('\t')[0] === l).slice(0, l === '1' || l === '2' ? 22 : 6));
  trainOnly = join(tmp, 'train-only');
  small = join(tmp, 'small');
  await mkdir(trainOnly);
  await mkdir(small);
  await writeFile(join(trainOnly, 'MINE_TRAIN.tsv'), pick.join('\n') + '\n'); // no MINE_TEST: tune must not need it
  await writeFile(join(small, 'ECG5000_TRAIN.tsv'), pick.join('\n') + '\n');
  await writeFile(join(small, 'ECG5000_TEST.tsv'), lines.slice(300, 340).join('\n') + '\n');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('stratified folds', () => {
  it('put every row in exactly one fold, each class spread evenly, the same for the same seed', () => {
    const labels = Array.from({ length: 53 }, (_, i) => (i < 40 ? 0 : i < 50 ? 1 : 2));
    const folds = stratifiedFolds(labels, 5, 7);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const c of [0, 1, 2]) {
      const per = folds.map((f) => f.filter((r) => labels[r] === c).length);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(labels, 5, 7)).toEqual(folds);
    expect(stratifiedFolds(labels, 5, 8)).not.toEqual(folds);
  });
});

describe('cross-validation on TRAIN only', () => {
  it('predicts every training series once, out of fold', async () => {
    const { spec, train } = await loadUcrTrainOnly(trainOnly);
    const score = await crossValidate(train, spec, resolveRecipe('paper', QUICK), { folds: 3, seed: 1, workers: 1, backend: 'wasm' });
    const k = spec.classes.length;
    for (let i = 0; i < train.count; i++) expect(score.oof[0]!.subarray(i * k, (i + 1) * k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(score.foldAccuracies).toHaveLength(3);
  });

  it('ecg tune runs with the TEST file absent (it never looks for it) and fits a temperature', async () => {
    const report = await tune({ dataDir: trainOnly, folds: 2, seed: 1, workers: 1, backend: 'wasm', ensemble: 0, maxEpochs: 1, candidates: [{ name: 'paper', overrides: { batchSize: 16 } }] });
    expect(report.trainFile).toBe(join(trainOnly, 'MINE_TRAIN.tsv'));
    expect(report.winner.name).toBe('paper');
    expect(report.winner.temperature).toBeGreaterThan(0);
    expect(report.candidates).toHaveLength(1);
  });
});

describe('the loss', () => {
  it('balanced class weights are n / (K n_k), and weight each beat\'s cross-entropy', () => {
    expect(balancedClassWeights([0, 0, 0, 1], 3)).toEqual([4 / 9, 4 / 3, 0]);
    const [w0, w1, w2] = sqrtClassWeights([0, 0, 0, 1], 3);
    expect(w1! / w0!).toBeCloseTo(Math.sqrt(3), 12); // the square root of balanced's ratio 3
    expect((3 * w0! + w1!) / 4).toBeCloseTo(1, 12); // mean weight over the beats is 1
    expect(w2).toBe(0);
    const probs = tf.tensor2d([0.7, 0.3, 0.2, 0.8], [2, 2]);
    const targets = tf.tensor2d([1, 0, 1, 0], [2, 2]);
    const weighted = crossEntropy(probs, targets, tf.tensor1d([2, 0.5])).dataSync()[0]!;
    expect(weighted).toBeCloseTo(-(2 * Math.log(0.7) + 0.5 * Math.log(0.2)) / 2, 5);
    const soft = crossEntropy(probs, tf.tensor2d([0.5, 0.5, 0.25, 0.75], [2, 2])).dataSync()[0]!;
    expect(soft).toBeCloseTo(-(0.5 * Math.log(0.7) + 0.5 * Math.log(0.3) + 0.25 * Math.log(0.2) + 0.75 * Math.log(0.8)) / 2, 5);
  });
});

describe('temperature in the model', () => {
  it('dividing the last Dense layer by t gives softmax(log p / t) exactly', () => {
    const model = buildModel({ inputLength: 140, channels: 1, classes: [1, 2, 3].map((l) => ({ label: String(l), name: `c${l}` })) }, { seed: 3 });
    const x = tf.randomNormal([6, 140, 1], 0, 1, 'float32', 4);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    foldTemperature(model, 2.5);
    const after = (model.predict(x) as tf.Tensor).dataSync();
    assertClose(after, applyTemperature(before, 3, 2.5), 1e-6, 'calibrated probabilities');
    expect(() => foldTemperature(model, 0)).toThrow(/--temperature must be a positive number/);
    model.dispose();
  });

  it('--average-epochs must be a whole number of epochs the run has', () => {
    expect(resolveRecipe('paper', { averageEpochs: 20 }).averageEpochs).toBe(20);
    expect(resolveRecipe('cv', { averageEpochs: 0 }).averageEpochs).toBe(0);
    expect(() => resolveRecipe('paper', { averageEpochs: 21 })).toThrow('--average-epochs must be an integer from 0 to --epochs (20), got 21');
    expect(() => resolveRecipe('paper', { averageEpochs: 2.5 })).toThrow(/--average-epochs must be an integer/);
    expect(() => resolveRecipe('paper', { averageEpochs: -1 })).toThrow(/--average-epochs must be an integer/);
  });
});

describe('ensembles and distillation', () => {
  it('ecg train --ensemble: members (at the recipe\'s ensemble temperature), ensemble.json, and a prediction that is the mean of the members', async () => {
    const out = join(tmp, 'ensemble');
    const recipe = { ...resolveRecipe('paper', QUICK), temperature: 1.5, ensembleTemperature: 1.25 };
    const metrics = await trainEnsemble({ ...recipe, dataDir: small, outDir: out, seed: 3, backend: 'wasm', preset: 'paper', workers: 1 }, 2, { figures: false });
    expect(metrics.members).toBe(2);
    expect(metrics.memberTemperature).toBe(1.25);
    for (const i of [0, 1]) expect(JSON.parse(await readFile(join(out, 'members', String(i), 'metrics.json'), 'utf8')).calibration.temperature).toBe(1.25);
    expect(JSON.parse(await readFile(join(out, ENSEMBLE_FILE), 'utf8')).members).toEqual(['members/0/model', 'members/1/model']);
    const ensemble = await loadEnsemble(out);
    const one = await loadEnsemble(join(out, 'members', '0', 'model'));
    const two = await loadEnsemble(join(out, 'members', '1', 'model'));
    const x = Float32Array.from({ length: 3 * 140 }, (_, i) => Math.sin(i / 7));
    const mean = one.predict(x, 3).map((p, i) => (p + two.predict(x, 3)[i]!) / 2);
    assertClose(ensemble.predict(x, 3), mean, 1e-6, 'ensemble = mean of members');
    [ensemble, one, two].forEach((e) => e.dispose());
  });

  it('--teacher: a student learns from the ensemble, and the metrics say so', async () => {
    const out = join(tmp, 'student');
    const { metrics } = await trainAndSave(
      { ...resolveRecipe('paper', QUICK), dataDir: small, outDir: out, seed: 4, backend: 'wasm', preset: 'paper', workers: 2, teacher: join(tmp, 'ensemble'), teacherMix: 0.2 },
      { figures: false },
    );
    expect(metrics.teacher).toEqual({ path: join(tmp, 'ensemble'), mix: 0.2 });
    expect(metrics.test.accuracy).toBeGreaterThan(0);
  });
});

describe('choosing between candidates', () => {
  const c = (name: string, accuracy: number, macroF1: number) => ({ name, overrides: {}, stage: 'A' as const, accuracy, macroF1, nll: 0, foldAccuracies: [] });
  it('takes the higher CV accuracy, then the higher macro F1, then the one tried first', async () => {
    const { better } = await import('../../train/tune.js');
    expect(better(c('a', 0.95, 0.5), c('b', 0.94, 0.9)).name).toBe('a');
    expect(better(c('a', 0.954, 0.6245), c('b', 0.954, 0.6324)).name).toBe('b');
    expect(better(c('a', 0.95, 0.6), c('b', 0.95, 0.6)).name).toBe('a');
  });
});
