// Test accuracy of a training recipe over several seeds, run one after another (the machine is shared),
// printed as a table with mean and spread, macro F1, calibration (ECE, NLL) and the rare classes' recall.
// Takes every `ecg train` flag, plus --seeds, --ensemble K (each seed trains a K-member ensemble, seeds
// seed..seed+K-1) and --distill (each seed also trains a single student of that ensemble).
//   npx tsx bench/accuracy.ts                                   # the paper's recipe, seeds 1,2,3
//   npx tsx bench/accuracy.ts --preset cv --seeds 101,202,303,404,505
//   npx tsx bench/accuracy.ts --preset cv --ensemble 5 --distill --seeds 101,202,303,404,505
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClassificationReport } from '../core/metrics.js';
import { trainEnsemble } from '../train/ensemble.js';
import { trainAndSave, type TrainMetrics } from '../train/run.js';
import { trainOptionsBuilder, trainOptionsFromArgs, type TrainArgs } from '../cli/commands/train.js';

const argv = (await trainOptionsBuilder(yargs(hideBin(process.argv)))
  .option('seeds', { type: 'string', default: '1,2,3', describe: 'comma-separated seeds' })
  .option('ensemble', { type: 'number', default: 0, describe: 'K >= 2: each seed trains a K-member ensemble' })
  .option('distill', { type: 'boolean', default: false, describe: 'with --ensemble: also train one student per seed on the ensemble' })
  .option('teacher-mix', { type: 'number', default: 0, describe: 'one-hot share of the distillation targets' })
  .option('out', { type: 'string', default: 'runs/accuracy', describe: 'parent directory; each seed writes PRESET/seed-N under it' })
  .option('reuse', { type: 'boolean', default: false, describe: 'read the metrics of runs already under --out instead of training them again (resume, or gather seeds run by several processes)' })
  .strict()
  .help()
  .parseAsync()) as TrainArgs & { seeds: string; ensemble: number; distill: boolean; 'teacher-mix': number; reuse: boolean };

interface Row {
  kind: string;
  seed: number;
  test: ClassificationReport;
  ece: number;
  nll: number;
  /** ECE before the recipe's temperature (single models only). */
  eceBefore?: number;
}

const seeds = argv.seeds.split(',').map(Number);
const singleRow = (kind: string, seed: number, m: TrainMetrics): Row => ({ kind, seed, test: m.test, ece: m.calibration.test.ece, nll: m.calibration.test.nll, eceBefore: m.calibration.testUncalibrated.ece });
const rows: Row[] = [];
const pct = (x: number) => (100 * x).toFixed(2);
const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
/** With --reuse, the run's metrics.json when there is one (a missing file means: not run yet); else training. */
const reuseOr = async <T>(outDir: string, train: () => Promise<T>): Promise<T> => {
  if (argv.reuse) {
    try {
      return await readJson<T>(join(outDir, 'metrics.json'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return train();
};
const quiet = { log: (l: string) => (/^epoch|^kept|^calibrated|^ensemble of/.test(l) ? process.stderr.write(l + '\n') : undefined), figures: false };
for (const seed of seeds) {
  const dir = join(argv.out, argv.preset, `seed-${seed}`);
  const options = trainOptionsFromArgs({ ...argv, seed, out: dir });
  if (argv.ensemble >= 2) {
    const e = await reuseOr(join(dir, 'ensemble'), () => trainEnsemble({ ...options, outDir: join(dir, 'ensemble') }, argv.ensemble, quiet));
    rows.push({ kind: `ensemble of ${argv.ensemble}`, seed, test: e.test, ece: e.calibration.ece, nll: e.calibration.nll });
    // Every member is a single model of the recipe with its own seed: these rows cost nothing extra. When the
    // recipe gives members their own temperature, their calibration is not the single model's: they say so.
    const kind = (e.memberTemperature ?? 1) === (options.temperature ?? 1) ? 'single model (ensemble members)' : `ensemble members (temperature ${e.memberTemperature})`;
    for (const [i, memberSeed] of e.seeds.entries()) {
      const m = await readJson<TrainMetrics>(join(dir, 'ensemble', 'members', String(i), 'metrics.json'));
      rows.push(singleRow(kind, memberSeed, m));
    }
    if (argv.distill) {
      // The student starts from another seed, so it is not a copy of the first member.
      // No recipe temperature: the teacher's probabilities are calibrated already (as ecg train --teacher does).
      const student = { ...options, temperature: argv.temperature, seed: seed + 50, outDir: join(dir, 'student'), teacher: join(dir, 'ensemble'), teacherMix: argv['teacher-mix'] };
      rows.push(singleRow('distilled single model', seed, await reuseOr(student.outDir, async () => (await trainAndSave(student, quiet)).metrics)));
    }
  } else {
    rows.push(singleRow('single model', seed, await reuseOr(dir, async () => (await trainAndSave(options, quiet)).metrics)));
  }
  process.stderr.write(`seed ${seed}: ${rows.filter((r) => r.seed === seed).map((r) => `${r.kind} ${pct(r.test.accuracy)}%`).join(', ')}\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const recall = (r: ClassificationReport, label: string) => r.perClass.find((c) => c.label === label)?.recall ?? NaN;
console.log(`\nrecipe: preset ${argv.preset} + flags (${JSON.stringify(trainOptionsFromArgs({ ...argv, seed: seeds[0]! }), (k, v) => (k === 'dataDir' || k === 'outDir' ? undefined : v))})`);
const f4 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(4));
console.log('| model | seed | test acc % | macro F1 | ECE | ECE before T | NLL | recall PVC (3) | recall unclassified (5) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.kind} | ${r.seed} | ${pct(r.test.accuracy)} | ${r.test.macroF1.toFixed(4)} | ${r.ece.toFixed(4)} | ${f4(r.eceBefore)} | ${r.nll.toFixed(4)} | ${pct(recall(r.test, '3'))} | ${pct(recall(r.test, '5'))} |`);
}
for (const kind of [...new Set(rows.map((r) => r.kind))]) {
  const of = rows.filter((r) => r.kind === kind);
  const acc = of.map((r) => r.test.accuracy);
  console.log(
    `| **${kind}: mean +- std (n=${of.length})** | | **${pct(mean(acc))} +- ${pct(std(acc))}** | ${mean(of.map((r) => r.test.macroF1)).toFixed(4)} | ${mean(of.map((r) => r.ece)).toFixed(4)} | ${f4(of[0]!.eceBefore === undefined ? undefined : mean(of.map((r) => r.eceBefore!)))} | ${mean(of.map((r) => r.nll)).toFixed(4)} | ${pct(mean(of.map((r) => recall(r.test, '3'))))} | ${pct(mean(of.map((r) => recall(r.test, '5'))))} |`,
  );
}
console.log('the paper reports 94.19%; published on this split: HIVE-COTE 2 94.84%, TS-CHIEF 94.85%, ROCKET 94.72%');
