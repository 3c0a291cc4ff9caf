// One model trained on given rows with a recipe: what `ecg train`, every cross-validation fold,
// every ensemble member and a distilled student share. Builds the paper's model from the seed, fits it
// (class weights and soft targets as the recipe and caller say), and folds a temperature, if any,
// into its last Dense layer.
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '@ecg-onnx/core';
import type { BackendName } from './backend.js';
import { foldTemperature } from './calibration.js';
import type { LabelledBeats } from './data.js';
import { fit, type EpochRecord, type FitResult } from './fit.js';
import { balancedClassWeights, sqrtClassWeights } from './loss.js';
import { buildModel } from './model.js';
import { prestartWorkers } from './parallel/worker-pool.js';
import type { Recipe } from './options.js';

export interface TrainModelInput {
  spec: ModelSpec;
  train: LabelledBeats;
  /** Picks the best epoch under --split holdout; none under full. */
  validation?: LabelledBeats;
  recipe: Recipe;
  seed: number;
  workers: number;
  backend: BackendName;
  /** Distillation: soft targets for each (augmented) batch (see FitOptions.teacher). */
  teacher?: (x: Float32Array, n: number) => Float32Array;
  teacherMix?: number;
  onBatch?: (epoch: number, batch: number, batches: number) => void;
  onEpoch?: (record: EpochRecord, seconds: number) => void;
  /** Keep the training threads for predictions (TrainedModel.fit.stepper); the caller closes them. */
  keepStepper?: boolean;
}

export interface TrainedModel {
  model: tf.LayersModel;
  fit: FitResult;
  /** The per-class loss weights used (undefined: all 1). */
  classWeights?: number[];
}

export async function trainModel(input: TrainModelInput): Promise<TrainedModel> {
  const { recipe, spec } = input;
  prestartWorkers(input.workers, input.backend); // they boot while the model is built (already warm when run.ts started them)
  const model = buildModel(spec, { dropout: recipe.dropout, seed: input.seed, bnMomentum: recipe.bnMomentum });
  const weighting = { none: undefined, balanced: balancedClassWeights, sqrt: sqrtClassWeights }[recipe.classWeight];
  const classWeights = weighting?.(input.train.y, spec.classes.length);
  let result: FitResult | undefined;
  try {
    result = await fit(model, input.train, input.validation, {
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      schedule: recipe.schedule,
      averageEpochs: recipe.averageEpochs,
      seed: input.seed,
      augment: recipe.augment,
      numClasses: spec.classes.length,
      classWeights,
      teacher: input.teacher,
      teacherMix: input.teacherMix,
      workers: input.workers,
      backend: input.backend,
      onBatch: input.onBatch,
      onEpoch: input.onEpoch,
      keepStepper: input.keepStepper,
    });
    if (recipe.temperature !== undefined && recipe.temperature !== 1) foldTemperature(model, recipe.temperature);
    return { model, fit: result, classWeights };
  } catch (err) {
    await result?.stepper?.close();
    model.dispose();
    throw err;
  }
}
