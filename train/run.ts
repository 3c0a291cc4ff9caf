// One training run end to end: backend, data, split, model, fit, test evaluation, outputs.
// The CLI, the pipeline, the test helper and bench/accuracy.ts all call this one function.
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import type { ClassificationReport, ModelSpec } from '@ecg-onnx/core';
import { initBackend, type BackendName } from './backend.js';
import { loadUcrSplit, selectRows } from './data.js';
import { evaluateModel } from './evaluate.js';
import { confusionFigureSpec, lossFigureSpec, renderSvg, svgToPng } from './figures.js';
import { fit, type EpochRecord } from './fit.js';
import { buildModel } from './model.js';
import { defaultWorkers, validateRecipe, validateSeed, validateWorkers, type TrainOptions } from './options.js';
import { createProgress } from './progress.js';
import { saveModel } from './save.js';
import { splitForProtocol } from './split.js';
import { formatModelTable, paramCounts, type ParamCounts } from './summary.js';

/** File names under --out DIR. */
export const OUTPUT_FILES = Object.freeze({
  model: 'model',
  history: 'history.json',
  metrics: 'metrics.json',
  lossFigure: 'figure1-loss.png',
  confusionFigure: 'confusion-matrix.png',
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
  recipe: Omit<TrainOptions, 'dataDir' | 'outDir' | 'seed' | 'backend' | 'preset' | 'classNames' | 'workers'>;
  data: { train: string; test: string; trainCount: number; validationCount: number; testCount: number };
  spec: ModelSpec;
  /** Validation loss/accuracy of the saved weights (null under --split full). */
  validation: { loss: number; accuracy: number } | null;
  test: ClassificationReport;
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
  const data = await loadUcrSplit(o.dataDir, o.classNames); // bad data fails here, before anything is written
  const split = splitForProtocol(o.split, data.train.y, o.validationFraction, o.seed);
  const train = selectRows(data.train, split.train);
  const validation = split.validation.length ? selectRows(data.train, split.validation) : undefined;
  log(`data ${o.dataDir}: ${data.train.count} training series (${train.count} train / ${validation?.count ?? 0} validation, --split ${o.split}), ${data.test.count} test series, length ${data.spec.inputLength}, ${data.spec.classes.length} classes`);
  log(`backend ${backend}, ${workers} training thread${workers === 1 ? '' : 's'}, seed ${o.seed}, preset ${o.preset}`);

  const modelOptions = { dropout: o.dropout, seed: o.seed, bnMomentum: o.bnMomentum };
  const model = buildModel(data.spec, modelOptions);
  try {
    log(formatModelTable(model));
    const progress = createProgress(o.epochs, log, hooks.interactive);
    let result;
    try {
      result = await fit(model, train, validation, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        schedule: o.schedule,
        seed: o.seed,
        augment: o.augment,
        numClasses: data.spec.classes.length,
        onBatch: progress.onBatch,
        onEpoch: progress.onEpoch,
        workers,
        backend,
      });
    } finally {
      progress.stop();
    }
    const saved = result.history[result.bestEpoch - 1]!;
    log(`kept the weights of epoch ${result.bestEpoch}${saved.valLoss === null ? ' (last epoch; no validation set)' : ` (lowest validation loss ${saved.valLoss.toFixed(4)})`}`);
    const test = evaluateModel(model, data.test, data.spec);
    const { dataDir: _d, outDir: _o, seed: _s, backend: _b, preset: _p, classNames: _c, workers: _w, ...recipe } = o;
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
      recipe,
      data: { train: data.files.train, test: data.files.test, trainCount: train.count, validationCount: validation?.count ?? 0, testCount: data.test.count },
      spec: data.spec,
      validation: saved.valLoss === null ? null : { loss: saved.valLoss, accuracy: saved.valAccuracy! },
      test,
      tfjsVersion: tf.version.tfjs,
      createdAt: new Date().toISOString(),
    };
    await writeOutputs(o.outDir, model, data.spec, result.history, metrics, hooks.figures ?? true);
    log(`wrote ${resolve(o.outDir)}/{${Object.values(OUTPUT_FILES).join(',')}}`);
    return { metrics, history: result.history, outDir: o.outDir };
  } finally {
    model.dispose();
  }
}

async function writeOutputs(dir: string, model: tf.LayersModel, spec: ModelSpec, history: EpochRecord[], metrics: TrainMetrics, figures: boolean): Promise<void> {
  // Figures first: rendering is the step most likely to fail, and then no partial run is left behind.
  const images = figures
    ? [
        [OUTPUT_FILES.lossFigure, svgToPng(await renderSvg(lossFigureSpec(history)))],
        [OUTPUT_FILES.confusionFigure, svgToPng(await renderSvg(confusionFigureSpec(metrics.test)))],
      ] as const
    : [];
  await saveModel(model, spec, join(dir, OUTPUT_FILES.model), metrics.test.accuracy);
  await writeFileAtomic(join(dir, OUTPUT_FILES.history), JSON.stringify(history, null, 2) + '\n');
  for (const [name, png] of images) await writeFileAtomic(join(dir, name), png);
  await writeFileAtomic(join(dir, OUTPUT_FILES.metrics), JSON.stringify(metrics, null, 2) + '\n');
}
