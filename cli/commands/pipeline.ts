// `ecg pipeline` (npm run pipeline): the main job for a fresh clone, as an ordered list of steps.
// Each step reads what the earlier ones wrote under --out; adding a stage is one entry in PIPELINE_STEPS.
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { formatReport } from '../../core/metrics.js';
import { evaluateSavedModel } from '../../train/evaluate.js';
import { OUTPUT_FILES, trainAndSave, type TrainResult } from '../../train/run.js';
import { runCommand } from '../run-command.js';
import { trainOptionsBuilder, trainOptionsFromArgs, type TrainArgs } from './train.js';

/** What every step can see: the parsed flags, the output directory and what earlier steps left. */
export interface PipelineContext {
  args: TrainArgs;
  outDir: string;
  /** DIR/model: the trained tfjs model. */
  modelDir: string;
  log: (line: string) => void;
  train?: TrainResult;
}

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
      ctx.log(`test set ${testFile}\n${formatReport(report)}`);
    },
  },
];

export const pipelineCommand: CommandModule<object, TrainArgs> = {
  command: 'pipeline',
  describe: `Run the whole job: ${PIPELINE_STEPS.map((s) => s.name).join(' -> ')} (takes every \`ecg train\` flag)`,
  builder: (y: Argv) => trainOptionsBuilder(y),
  handler: (args: ArgumentsCamelCase<TrainArgs>) =>
    runCommand(async () => {
      trainOptionsFromArgs(args); // reject bad flags before the first step starts
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
