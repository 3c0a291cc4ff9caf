// `ecg pipeline` (npm run pipeline): the main job for a fresh clone, as an ordered list of steps.
// Each step reads what the earlier ones wrote under --out; adding a stage is one entry in PIPELINE_STEPS.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import { EcgError, formatReport, InvalidInputError } from '@ecg-onnx/core';
import { evaluateSavedModel, findSplitFiles, OUTPUT_FILES, trainAndSave, type TrainResult } from '@ecg-onnx/train';
import { runCommand } from '../run-command.js';
import { trainOptionsBuilder, trainOptionsFromArgs, type TrainArgs } from './train.js';

/** What every step can see: the parsed flags, the output directory and what earlier steps left. */
/** `ecg pipeline` flags: every `ecg train` flag, plus how many test beats the parity step runs. */
export interface PipelineArgs extends TrainArgs {
  'parity-n'?: number;
}

export interface PipelineContext {
  args: PipelineArgs;
  outDir: string;
  /** DIR/model: the trained tfjs model. */
  modelDir: string;
  log: (line: string) => void;
  train?: TrainResult;
  /** Test accuracy of the saved TF.js model (from the evaluate step). */
  testAccuracy?: number;
}

/** DIR/model.onnx: the one file every runtime uses. */
const ONNX_FILE = 'model.onnx';

export interface PipelineStep {
  name: string;
  describe: string;
  run: (ctx: PipelineContext) => Promise<void>;
}

export const PIPELINE_STEPS: readonly PipelineStep[] = [
  {
    name: 'train',
    describe: `train the model (ecg train) -> ${OUTPUT_FILES.model}/, ${OUTPUT_FILES.history}, ${OUTPUT_FILES.metrics}, figures`,
    run: async (ctx) => {
      ctx.train = await trainAndSave(trainOptionsFromArgs(ctx.args), { log: ctx.log });
    },
  },
  {
    name: 'evaluate',
    describe: 'reload the saved model from disk and score it on the test set (ecg eval) -> eval.json',
    run: async (ctx) => {
      const { report, testFile } = await evaluateSavedModel(ctx.modelDir, ctx.args.data);
      await writeFileAtomic(join(ctx.outDir, 'eval.json'), JSON.stringify({ model: ctx.modelDir, testFile, ...report }, null, 2) + '\n');
      ctx.testAccuracy = report.accuracy;
      ctx.log(`test set ${testFile}\n${formatReport(report)}`);
    },
  },
  {
    name: 'export',
    describe: `export the saved model to ONNX with our exporter (ecg export) -> ${ONNX_FILE}`,
    run: async (ctx) => {
      const { formatExportSummary, writeOnnx } = await import('@ecg-onnx/tfjs-layers-to-onnx/node');
      const onnx = join(ctx.outDir, ONNX_FILE);
      ctx.log(formatExportSummary(await writeOnnx(ctx.modelDir, onnx)));
    },
  },
  {
    name: 'predict',
    describe: 'classify the test file with onnxruntime-node (ecg predict) -> predictions.tsv; must equal the TF.js accuracy',
    run: async (ctx) => {
      const { load } = await import('@ecg-onnx/runtime-node');
      const { predictFile } = await import('@ecg-onnx/runtime-node/predict');
      const { test } = await findSplitFiles(ctx.args.data);
      const classifier = await load(join(ctx.outDir, ONNX_FILE), { device: 'auto' });
      const target = join(ctx.outDir, 'predictions.tsv');
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        const out = createWriteStream(tmp);
        const { rows, report } = await predictFile(test, classifier, { format: 'tsv', out });
        out.end();
        await finished(out);
        await rename(tmp, target);
        ctx.log(`${rows} beats of ${test} on onnxruntime-node (${classifier.provider}) -> ${target}`);
        if (report) ctx.log(`accuracy ${(100 * report.accuracy).toFixed(2)}% (TF.js: ${(100 * (ctx.testAccuracy ?? NaN)).toFixed(2)}%)`);
        if (report && ctx.testAccuracy !== undefined && report.accuracy !== ctx.testAccuracy) {
          throw new EcgError(`onnxruntime-node accuracy ${report.accuracy} differs from TF.js ${ctx.testAccuracy}: the export is not faithful`);
        }
      } finally {
        await rm(tmp, { force: true });
        await classifier.dispose();
      }
    },
  },
  {
    name: 'parity',
    describe: 'the same test beats through TF.js and every ONNX runtime (ecg parity) -> parity.json',
    run: async (ctx) => {
      const { formatParityTable, runParity } = await import('@ecg-onnx/parity');
      const { test } = await findSplitFiles(ctx.args.data);
      const report = await runParity({ model: ctx.modelDir, onnx: join(ctx.outDir, ONNX_FILE), data: test, n: ctx.args['parity-n'], log: (line) => ctx.log(`  ${line}`) });
      await writeFileAtomic(join(ctx.outDir, 'parity.json'), `${JSON.stringify(report, null, 2)}\n`);
      ctx.log(formatParityTable(report));
      const recipe = ctx.args.preset === 'paper' ? "the paper's recipe" : `preset ${ctx.args.preset}`;
      ctx.log(`\naccuracy of this run (${recipe}, seed ${ctx.args.seed}): ${(100 * (ctx.testAccuracy ?? NaN)).toFixed(2)}% on the test set; the paper reports 94.19% (one run); see the README for means over seeds and the recipes chosen by cross-validation`);
    },
  },
];

export const pipelineCommand: CommandModule<object, PipelineArgs> = {
  command: 'pipeline',
  describe: `Run the whole job: ${PIPELINE_STEPS.map((s) => s.name).join(' -> ')} (takes every \`ecg train\` flag)`,
  builder: (y: Argv) =>
    trainOptionsBuilder(y).option('parity-n', { type: 'number', describe: 'parity step: the first N beats of the test file (default: all of them)' }) as unknown as Argv<PipelineArgs>,
  handler: (args: ArgumentsCamelCase<PipelineArgs>) =>
    runCommand(async () => {
      trainOptionsFromArgs(args); // reject bad flags before the first step starts
      const parityN = args['parity-n'];
      if (parityN !== undefined && !(Number.isInteger(parityN) && parityN >= 1)) throw new InvalidInputError(undefined, `--parity-n must be a positive integer, got ${parityN}`);
      const log = (line: string) => process.stdout.write(line + '\n');
      const ctx: PipelineContext = { args, outDir: args.out, modelDir: join(args.out, OUTPUT_FILES.model), log };
      for (const [i, step] of PIPELINE_STEPS.entries()) {
        log(`\n== step ${i + 1}/${PIPELINE_STEPS.length}: ${step.name}: ${step.describe}`);
        const started = performance.now();
        await step.run(ctx);
        log(`== ${step.name} done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      }
    }),
};
