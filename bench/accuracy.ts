// Test accuracy of a training recipe over several seeds, run one after another (the machine is
// shared), printed as a table with mean and spread. Takes every `ecg train` flag, plus --seeds.
//   npx tsx bench/accuracy.ts                          # the paper's recipe, seeds 1,2,3
//   npx tsx bench/accuracy.ts --preset best --seeds 1,2,3,4,5
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { join } from 'node:path';
import { trainAndSave, type TrainMetrics } from '../train/run.js';
import { trainOptionsBuilder, trainOptionsFromArgs, type TrainArgs } from '../cli/commands/train.js';

const argv = (await trainOptionsBuilder(yargs(hideBin(process.argv)))
  .option('seeds', { type: 'string', default: '1,2,3', describe: 'comma-separated seeds' })
  .option('out', { type: 'string', default: 'runs/accuracy', describe: 'parent directory; each seed writes PRESET/seed-N under it' })
  .strict()
  .help()
  .parseAsync()) as TrainArgs & { seeds: string };

const seeds = argv.seeds.split(',').map(Number);
const rows: { seed: number; m: TrainMetrics }[] = [];
const pct = (x: number) => (100 * x).toFixed(2);
for (const seed of seeds) {
  const options = trainOptionsFromArgs({ ...argv, seed, out: join(argv.out, argv.preset, `seed-${seed}`) });
  process.stderr.write(`seed ${seed}: ${JSON.stringify({ ...options, dataDir: undefined, outDir: undefined })}\n`);
  const { metrics } = await trainAndSave(options, { log: (l) => (/^epoch|^kept/.test(l) ? process.stderr.write(l + '\n') : undefined) });
  rows.push({ seed, m: metrics });
  process.stderr.write(`seed ${seed}: test accuracy ${pct(metrics.test.accuracy)}%\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const acc = rows.map((r) => r.m.test.accuracy);
const f1 = rows.map((r) => r.m.test.macroF1);
const first = rows[0]!.m;
console.log(`\nrecipe (preset ${argv.preset} + flags): ${first.epochs} epochs, batch ${first.recipe.batchSize}, lr ${first.recipe.learningRate} (${first.recipe.schedule}), dropout ${first.recipe.dropout}, bn momentum ${first.recipe.bnMomentum}, split ${first.recipe.split}, augment ${JSON.stringify(first.recipe.augment)}, backend ${first.backend}`);
console.log('| seed | best epoch | val acc % | test acc % | macro F1 | train samples/s |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const { seed, m } of rows) {
  console.log(`| ${seed} | ${m.bestEpoch} | ${m.validation ? pct(m.validation.accuracy) : '-'} | ${pct(m.test.accuracy)} | ${m.test.macroF1.toFixed(4)} | ${m.trainSamplesPerSecond.toFixed(0)} |`);
}
console.log(`| mean +- std (n=${rows.length}) | | | ${pct(mean(acc))} +- ${pct(std(acc))} | ${mean(f1).toFixed(4)} | |`);
console.log(`min ${pct(Math.min(...acc))}%, max ${pct(Math.max(...acc))}%; the paper reports 94.19%`);
