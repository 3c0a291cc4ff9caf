// `ecg train`: train the paper's CNN-GRU-SE model on a UCR dataset and write model, history,
// metrics and figures under --out. Recipe flags have no yargs defaults so that a --preset can set
// them; the help text shows the paper's value each one falls back to.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatReport } from '@ecg-onnx/core';
import { BACKEND_NAMES, CLASS_WEIGHTINGS, DEFAULT_DATA_DIR, trainEnsemble, defaultWorkers, MIN_BEATS_PER_WORKER, LR_SCHEDULES, PAPER_RECIPE, PRESET_NAMES, resolveRecipe, SPLIT_PROTOCOLS, trainAndSave, type TrainOptions } from '@ecg-onnx/train';
import { runCommand } from '../run-command.js';

export const DEFAULT_OUT_DIR = 'runs/latest';

export interface TrainArgs {
  data: string;
  out: string;
  seed: number;
  backend: string;
  preset: string;
  'class-names'?: string;
  workers?: number;
  'class-weight'?: string;
  temperature?: number;
  calibrate?: boolean;
  ensemble?: number;
  teacher?: string;
  'teacher-mix'?: number;
  epochs?: number;
  'batch-size'?: number;
  lr?: number;
  schedule?: string;
  'average-epochs'?: number;
  dropout?: number;
  'bn-momentum'?: number;
  split?: string;
  'val-fraction'?: number;
  augment: boolean;
  'augment-scale'?: number;
  'augment-shift'?: number;
  'augment-noise'?: number;
  'augment-probability'?: number;
}

const a = PAPER_RECIPE.augment;

/** Options shared by `ecg train` and `ecg pipeline`. */
export function trainOptionsBuilder<T>(y: Argv<T>): Argv<TrainArgs> {
  return y
    .option('data', { type: 'string', default: DEFAULT_DATA_DIR, defaultDescription: 'the shipped ECG5000 copy', describe: 'directory with NAME_TRAIN.tsv and NAME_TEST.tsv (or .txt)' })
    .option('workers', { type: 'number', describe: `data-parallel training threads [default: one per core, at most batch size / ${MIN_BEATS_PER_WORKER}, so ${defaultWorkers(32)} here at batch 32]` })
    .option('class-weight', { choices: CLASS_WEIGHTINGS, describe: `per-class loss weights; balanced = n / (K n_k), sqrt = its square root scaled to mean 1 [default: ${PAPER_RECIPE.classWeight}]` })
    .option('temperature', { type: 'number', describe: 'fold this softmax temperature into the last Dense layer after training (calibration chosen on TRAIN, e.g. by ecg tune)' })
    .option('calibrate', { type: 'boolean', default: false, describe: 'fit the temperature on the validation split (--split holdout) and fold it in' })
    .option('ensemble', { type: 'number', describe: 'train K members (seeds seed..seed+K-1) into OUT/members/ with OUT/ensemble.json; ecg export writes ONE .onnx averaging them' })
    .option('teacher', { type: 'string', describe: "distil: learn the probabilities of this model or ensemble folder on every (augmented) batch; the preset's temperature is not applied to the student (--temperature still is)" })
    .option('teacher-mix', { type: 'number', describe: 'share of the one-hot label in the distillation targets [default: 0]' })
    .option('class-names', { type: 'string', describe: 'class names, "Normal,PVC,..." in label order or "1=Normal,2=PVC" [default: ECG5000\'s names for ECG5000, else "class <label>"]' })
    .option('out', { type: 'string', default: DEFAULT_OUT_DIR, describe: 'output directory (model/, history.json, metrics.json, figures)' })
    .option('seed', { type: 'number', default: 42, describe: 'seed for split, weights, shuffling, dropout and augmentation' })
    .option('backend', { choices: BACKEND_NAMES, default: 'auto', describe: 'auto = tfjs-node if installed, else wasm' })
    .option('preset', { choices: PRESET_NAMES, default: 'paper', describe: 'named recipe; flags below override it' })
    .option('epochs', { type: 'number', describe: `training epochs [paper: ${PAPER_RECIPE.epochs}]` })
    .option('batch-size', { type: 'number', describe: `batch size [paper: ${PAPER_RECIPE.batchSize}]` })
    .option('lr', { type: 'number', describe: `Adam learning rate [default: ${PAPER_RECIPE.learningRate}, Keras's default; the paper gives none]` })
    .option('schedule', { choices: LR_SCHEDULES, describe: `learning-rate schedule [default: ${PAPER_RECIPE.schedule}]` })
    .option('average-epochs', { type: 'number', describe: 'keep the mean of the weights at the end of the last N epochs (SWA-style weight averaging; replaces the best-epoch pick) [default: off]' })
    .option('dropout', { type: 'number', describe: `dropout after the GRU and the 512-unit dense [default: ${PAPER_RECIPE.dropout}]` })
    .option('bn-momentum', { type: 'number', describe: `BatchNormalization moving-average momentum [default: ${PAPER_RECIPE.bnMomentum}, Keras's]` })
    .option('split', {
      choices: SPLIT_PROTOCOLS,
      describe: `holdout = stratified 80/20 of TRAIN, best validation epoch kept; full = all of TRAIN, last epoch kept [default: ${PAPER_RECIPE.split}]`,
    })
    .option('val-fraction', { type: 'number', describe: `validation share of TRAIN under holdout [default: ${PAPER_RECIPE.validationFraction}]` })
    .option('augment', { type: 'boolean', default: true, describe: 'augment training batches (--no-augment switches all three off)' })
    .option('augment-scale', { type: 'number', describe: `max time-scale change, factor in [1-s, 1+s]; 0 = off [default: ${a.scale}]` })
    .option('augment-shift', { type: 'number', describe: `max time shift as a fraction of the length; 0 = off [default: ${a.shift}]` })
    .option('augment-noise', { type: 'number', describe: `Gaussian noise std (z-normalised units); 0 = off [default: ${a.noise}]` })
    .option('augment-probability', { type: 'number', describe: `share of training beats augmented [default: ${a.probability}]` }) as unknown as Argv<TrainArgs>;
}

/** Flags -> TrainOptions (preset first, then the flags that were given). Throws InvalidInputError. */
export function trainOptionsFromArgs(args: TrainArgs): TrainOptions {
  const recipe = resolveRecipe(args.preset, {
    epochs: args.epochs,
    batchSize: args['batch-size'],
    learningRate: args.lr,
    schedule: args.schedule as TrainOptions['schedule'] | undefined,
    averageEpochs: args['average-epochs'],
    dropout: args.dropout,
    bnMomentum: args['bn-momentum'],
    split: args.split as TrainOptions['split'] | undefined,
    validationFraction: args['val-fraction'],
    classWeight: args['class-weight'] as TrainOptions['classWeight'] | undefined,
    temperature: args.temperature,
    augment: args.augment
      ? { scale: args['augment-scale'], shift: args['augment-shift'], noise: args['augment-noise'], probability: args['augment-probability'] }
      : { scale: 0, shift: 0, noise: 0, probability: 0 },
  });
  // A student learns its teacher's probabilities, which are calibrated already: the preset's temperature
  // (fitted for one-hot training) would soften them a second time. Only an explicit --temperature applies.
  const temperature = args.teacher !== undefined && args.temperature === undefined ? undefined : recipe.temperature;
  // An explicit --temperature is every member's too; otherwise an ensemble's members get the recipe's ensemble temperature.
  const ensembleTemperature = args.temperature ?? recipe.ensembleTemperature;
  return { ...recipe, temperature, ensembleTemperature, dataDir: args.data, classNames: args['class-names'], workers: args.workers, calibrate: args.calibrate, teacher: args.teacher, teacherMix: args['teacher-mix'], outDir: args.out, seed: args.seed, backend: args.backend, preset: args.preset };
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: "Train the paper's CNN-GRU-SE model; print the model table, progress and the test report",
  builder: (y: Argv) => trainOptionsBuilder(y),
  handler: (args: ArgumentsCamelCase<TrainArgs>) =>
    runCommand(async () => {
      const options = trainOptionsFromArgs(args);
      const log = (line: string) => process.stdout.write(line + '\n');
      if (args.ensemble !== undefined) {
        const ensemble = await trainEnsemble(options, args.ensemble, { log });
        process.stdout.write(`\nensemble test set (${ensemble.test.perClass.reduce((n, c) => n + c.support, 0)} series)\n${formatReport(ensemble.test)}\n`);
        return;
      }
      const { metrics } = await trainAndSave(options, { log });
      process.stdout.write(`\ntest set (${metrics.data.testCount} series)\n${formatReport(metrics.test)}\n`);
      process.stdout.write(`\ntraining throughput ${metrics.trainSamplesPerSecond.toFixed(1)} samples/s on ${metrics.backend}\n`);
    }),
};
