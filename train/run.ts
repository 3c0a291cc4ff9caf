// One training run end to end: backend, data, split, model, fit, test evaluation, outputs.
// The CLI, the pipeline, the test helper and bench/accuracy.ts all call this one function.
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import { applyTemperature, calibrationReport, fitTemperature, InvalidInputError, type CalibrationReport, type ClassificationReport, type ModelSpec } from '@ecg-onnx/core';
import { initBackend, type BackendName } from './backend.js';
import { foldTemperature } from './calibration.js';
import { loadUcrSplit, selectRows, type LabelledBeats } from './data.js';
import { loadTeacher } from './ensemble-model.js';
import { predictProbabilities, reportFromProbabilities } from './evaluate.js';
import { confusionFigureSpec, lossFigureSpec, reliabilityFigureSpec, renderFigures } from './figures.js';
import type { EpochRecord } from './fit.js';
import { defaultWorkers, validateRecipe, validateSeed, validateWorkers, type TrainOptions } from './options.js';
import { prestartWorkers } from './parallel/worker-pool.js';
import { createProgress } from './progress.js';
import { saveModel } from './save.js';
import { splitForProtocol } from './split.js';
import { formatModelTable, paramCounts, type ParamCounts } from './summary.js';
import { trainModel } from './train-model.js';

export interface CalibrationSummary {
  nll: number;
  brier: number;
  ece: number;
}

/** File names under --out DIR. */
export const OUTPUT_FILES = Object.freeze({
  model: 'model',
  history: 'history.json',
  metrics: 'metrics.json',
  lossFigure: 'figure1-loss.png',
  confusionFigure: 'confusion-matrix.png',
  reliabilityFigure: 'reliability.png',
});

export interface TrainMetrics {
  params: ParamCounts;
  backend: string;
  /** Data-parallel training threads (results depend on the count: same seed + same count = same bits). */
  workers: number;
  seed: number;
  preset: string;
  /** Epochs run, and the epoch whose weights were saved. */
  epochs: number;
  bestEpoch: number;
  trainSamplesPerSecond: number;
  trainSeconds: number;
  /** Wall-clock seconds of each epoch's training steps (kept out of history.json, which repeats for a seed). */
  epochSeconds: number[];
  recipe: Omit<TrainOptions, 'dataDir' | 'outDir' | 'seed' | 'backend' | 'preset' | 'classNames' | 'workers' | 'calibrate' | 'teacher' | 'teacherMix'>;
  data: { train: string; test: string; trainCount: number; validationCount: number; testCount: number };
  spec: ModelSpec;
  /** Validation loss/accuracy of the saved weights (null under --split full). */
  validation: { loss: number; accuracy: number } | null;
  test: ClassificationReport;
  /** NLL, Brier and ECE (15 bins) on the test set, as saved and before the temperature (if any). */
  calibration: { temperature: number; source: 'none' | 'recipe' | 'validation'; test: CalibrationSummary; testUncalibrated: CalibrationSummary };
  /** Distillation: the teacher's folder and the one-hot share of the targets. */
  teacher?: { path: string; mix: number };
  tfjsVersion: string;
  createdAt: string;
}

export interface TrainResult {
  metrics: TrainMetrics;
  history: EpochRecord[];
  outDir: string;
}

export interface RunHooks {
  /** Human-readable lines (model table, epochs, paths); default: none. */
  log?: (line: string) => void;
  /** Draw the cli-progress bar (default: only on an interactive terminal outside CI). */
  interactive?: boolean;
  /** Skip the PNG figures (test helpers that only need the model). */
  figures?: boolean;
}

export async function trainAndSave(o: TrainOptions, hooks: RunHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? (() => {});
  validateRecipe(o);
  validateSeed(o.seed);
  const workers = o.workers ?? defaultWorkers(o.batchSize);
  validateWorkers(workers, o.batchSize);
  const backend = await initBackend(o.backend as BackendName);
  prestartWorkers(workers, backend); // they boot (~1 s here) while the data is read and the model built
  const data = await loadUcrSplit(o.dataDir, o.classNames); // bad data fails here, before anything is written
  const split = splitForProtocol(o.split, data.train.y, o.validationFraction, o.seed);
  const train = selectRows(data.train, split.train);
  const validation = split.validation.length ? selectRows(data.train, split.validation) : undefined;
  log(`data ${o.dataDir}: ${data.train.count} training series (${train.count} train / ${validation?.count ?? 0} validation, --split ${o.split}), ${data.test.count} test series, length ${data.spec.inputLength}, ${data.spec.classes.length} classes`);
  log(`backend ${backend}, ${workers} training thread${workers === 1 ? '' : 's'}, seed ${o.seed}, preset ${o.preset}`);
  const teacher = o.teacher ? await loadTeacher(o.teacher, data.spec) : undefined;

  const progress = createProgress(o.epochs, log, hooks.interactive);
  let trained;
  try {
    trained = await trainModel({
      spec: data.spec,
      train,
      validation,
      recipe: o,
      seed: o.seed,
      workers,
      backend,
      teacher: teacher?.predict,
      teacherMix: o.teacherMix,
      onBatch: progress.onBatch,
      onEpoch: progress.onEpoch,
      keepStepper: true, // the training threads then score the test set too
    });
  } finally {
    progress.stop();
    teacher?.dispose();
  }
  const { model, fit: result } = trained;
  try {
    log(formatModelTable(model));
    const saved = result.history[result.bestEpoch - 1]!;
    log(`kept the weights of epoch ${result.bestEpoch}${saved.valLoss === null ? ' (last epoch; no validation set)' : ` (lowest validation loss ${saved.valLoss.toFixed(4)})`}`);
    const calibration = calibrate(model, o, validation, data.spec.classes.length, log);
    const k = data.spec.classes.length;
    // Every training thread scores its share with the saved weights (the same bits as one thread).
    result.stepper!.resync();
    const testProbs = result.stepper!.predict(data.test.x, data.test.count);
    const test = reportFromProbabilities(testProbs, data.test.y, data.spec);
    const temperature = calibration?.temperature ?? o.temperature;
    const testCalibration = summarizeCalibration(calibrationReport(testProbs, data.test.y, k));
    const uncalibrated = temperature === undefined ? undefined : summarizeCalibration(calibrationReport(applyTemperature(testProbs, k, 1 / temperature), data.test.y, k));
    const { dataDir: _d, outDir: _o, seed: _s, backend: _b, preset: _p, classNames: _c, workers: _w, calibrate: _cal, teacher: _t, teacherMix: _tm, ...recipe } = o;
    const metrics: TrainMetrics = {
      params: paramCounts(model),
      backend,
      workers,
      seed: o.seed,
      preset: o.preset,
      epochs: o.epochs,
      bestEpoch: result.bestEpoch,
      trainSamplesPerSecond: result.trainSamplesPerSecond,
      trainSeconds: result.trainSeconds,
      epochSeconds: result.epochSeconds,
      recipe,
      data: { train: data.files.train, test: data.files.test, trainCount: train.count, validationCount: validation?.count ?? 0, testCount: data.test.count },
      spec: data.spec,
      validation: saved.valLoss === null ? null : { loss: saved.valLoss, accuracy: saved.valAccuracy! },
      test,
      calibration: { temperature: temperature ?? 1, source: calibration ? 'validation' : temperature === undefined ? 'none' : 'recipe', test: testCalibration, testUncalibrated: uncalibrated ?? testCalibration },
      ...(o.teacher ? { teacher: { path: o.teacher, mix: o.teacherMix ?? 0 } } : {}),
      tfjsVersion: tf.version.tfjs,
      createdAt: new Date().toISOString(),
    };
    await writeOutputs(o.outDir, model, data.spec, result.history, metrics, hooks.figures ?? true, calibrationReport(testProbs, data.test.y, k));
    log(`wrote ${resolve(o.outDir)}/{${Object.values(OUTPUT_FILES).join(',')}}`);
    return { metrics, history: result.history, outDir: o.outDir };
  } finally {
    await result.stepper?.close();
    model.dispose();
  }
}

const summarizeCalibration = (r: CalibrationReport): CalibrationSummary => ({ nll: r.nll, brier: r.brier, ece: r.ece });

/** --calibrate: the temperature minimising the validation split's NLL, folded into the model. */
function calibrate(model: tf.LayersModel, o: TrainOptions, validation: LabelledBeats | undefined, k: number, log: (line: string) => void): { temperature: number } | undefined {
  if (!o.calibrate) return undefined;
  if (!validation) throw new InvalidInputError(undefined, '--calibrate fits the temperature on the validation split: use --split holdout, or pass --temperature T (e.g. from ecg tune)');
  const temperature = fitTemperature([predictProbabilities(model, validation)], validation.y, k);
  foldTemperature(model, temperature);
  log(`calibrated: temperature ${temperature.toFixed(3)} (fitted on the ${validation.count} validation beats), folded into the last Dense layer`);
  return { temperature };
}

async function writeOutputs(dir: string, model: tf.LayersModel, spec: ModelSpec, history: EpochRecord[], metrics: TrainMetrics, figures: boolean, reliability: CalibrationReport): Promise<void> {
  // Figures first: rendering is the step most likely to fail, and then no partial run is left behind.
  const images = figures
    ? await renderFigures([
        [OUTPUT_FILES.lossFigure, lossFigureSpec(history)],
        [OUTPUT_FILES.confusionFigure, confusionFigureSpec(metrics.test)],
        [OUTPUT_FILES.reliabilityFigure, reliabilityFigureSpec(reliability)],
      ])
    : [];
  await saveModel(model, spec, join(dir, OUTPUT_FILES.model), metrics.test.accuracy);
  await writeFileAtomic(join(dir, OUTPUT_FILES.history), JSON.stringify(history, null, 2) + '\n');
  for (const [name, png] of images) await writeFileAtomic(join(dir, name), png);
  await writeFileAtomic(join(dir, OUTPUT_FILES.metrics), JSON.stringify(metrics, null, 2) + '\n');
}
