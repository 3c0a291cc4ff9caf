// `ecg tune`: choose the recipe by stratified k-fold cross-validation on the TRAIN file only (train/tune.ts
// says what is searched); prints the ranking, writes it as JSON, and names the winner with its
// temperature. Its result becomes the `cv` preset; the test set is never opened here.
import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DataFormatError, InvalidInputError } from '@ecg-onnx/core';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import { readFile } from 'node:fs/promises';
import { BACKEND_NAMES, DEFAULT_DATA_DIR, defaultWorkers, initBackend, resolveRecipe, tune, validateWorkers, type BackendName, type Candidate } from '@ecg-onnx/train';
import { runCommand } from '../run-command.js';

interface TuneArgs {
  data: string;
  folds: number;
  repeats: number;
  seed: number;
  ensemble: number;
  workers?: number;
  backend: string;
  out: string;
  'max-epochs'?: number;
  cache?: string;
  grid?: string;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export const tuneCommand: CommandModule<object, TuneArgs> = {
  command: 'tune',
  describe: 'Choose the recipe by cross-validation on the TRAIN file only (the test file is never opened)',
  builder: (y: Argv) =>
    y
      .option('data', { type: 'string', default: DEFAULT_DATA_DIR, defaultDescription: 'the shipped ECG5000 copy', describe: 'directory with NAME_TRAIN.tsv (NAME_TEST is not read)' })
      .option('folds', { type: 'number', default: 5, describe: 'stratified folds' })
      .option('repeats', { type: 'number', default: 1, describe: 'repeated k-fold: cross-validate each candidate this many times with different folds (fold seeds seed, seed+100, ...) and average' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the folds and of the models trained in them' })
      .option('ensemble', { type: 'number', default: 0, describe: 'also cross-validate K-member ensembles of the winner (for their temperature); 0 skips' })
      .option('workers', { type: 'number', describe: `data-parallel training threads [default: ${defaultWorkers(32, availableParallelism())} here]` })
      .option('backend', { choices: BACKEND_NAMES, default: 'auto', describe: 'auto = tfjs-node if installed, else wasm' })
      .option('max-epochs', { type: 'number', describe: 'cap every candidate at this many epochs (a quick check of the machinery, not a real search)' })
      .option('cache', { type: 'string', describe: 'directory of finished candidates: an interrupted tune resumes, several tune processes share a grid (empty it when the training code changes)' })
      .option('grid', { type: 'string', describe: 'JSON file with your own candidates, [{"name": "...", "overrides": {"epochs": 40, ...}}], tried in order instead of stages A-C' })
      .option('out', { type: 'string', default: 'runs/tune.json', describe: 'the ranking as JSON' }) as unknown as Argv<TuneArgs>,
  handler: (args: ArgumentsCamelCase<TuneArgs>) =>
    runCommand(async () => {
      if (!Number.isInteger(args.folds) || args.folds < 2) throw new InvalidInputError(undefined, `--folds must be an integer >= 2, got ${args.folds}`);
      if (!Number.isInteger(args.repeats) || args.repeats < 1) throw new InvalidInputError(undefined, `--repeats must be a positive integer, got ${args.repeats}`);
      const workers = args.workers ?? defaultWorkers(32);
      validateWorkers(workers, 32);
      const backend = await initBackend(args.backend as BackendName);
      const candidates = args.grid === undefined ? undefined : await readGrid(args.grid);
      const report = await tune({ dataDir: args.data, folds: args.folds, repeats: args.repeats, seed: args.seed, workers, backend, ensemble: args.ensemble, maxEpochs: args['max-epochs'], cache: args.cache, candidates, log: (line) => process.stdout.write(`${line}\n`) });
      const rows = [...report.candidates].sort((a, b) => b.accuracy - a.accuracy);
      process.stdout.write(`\n${'stage'.padEnd(6)}${'CV accuracy'.padStart(12)}${'macro F1'.padStart(10)}${'NLL'.padStart(8)}  candidate\n`);
      for (const c of rows) process.stdout.write(`${c.stage.padEnd(6)}${pct(c.accuracy).padStart(12)}${c.macroF1.toFixed(4).padStart(10)}${c.nll.toFixed(4).padStart(8)}  ${c.name}\n`);
      process.stdout.write(`\nwinner: ${report.winner.name} (CV ${pct(report.winner.accuracy)}), temperature ${report.winner.temperature.toFixed(3)}\n`);
      if (report.ensemble) process.stdout.write(`${report.ensemble.members}-member ensemble: CV ${pct(report.ensemble.accuracy)}, temperature ${report.ensemble.temperature.toFixed(3)}\n`);
      await writeFileAtomic(args.out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`wrote ${args.out} (${(report.seconds / 60).toFixed(1)} min)\n`);
    }),
};

/** --grid FILE: a JSON array of { name, overrides }; every entry is checked as a recipe before anything trains. */
async function readGrid(file: string): Promise<Candidate[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new DataFormatError(file, undefined, `--grid must be a readable JSON file: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new DataFormatError(file, undefined, 'expected a non-empty JSON array of {"name": "...", "overrides": {...}}');
  return parsed.map((c: unknown, i) => {
    const entry = c as Partial<Candidate> | null;
    if (!entry || typeof entry.name !== 'string' || typeof entry.overrides !== 'object' || entry.overrides === null) {
      throw new DataFormatError(file, undefined, `entry ${i}: expected {"name": string, "overrides": object}`);
    }
    try {
      resolveRecipe('paper', entry.overrides);
    } catch (e) {
      throw new DataFormatError(file, undefined, `entry ${i} ("${entry.name}"): ${(e as Error).message}`);
    }
    return { name: entry.name, overrides: entry.overrides };
  });
}
