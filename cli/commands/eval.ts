// `ecg eval`: reload a trained tfjs model and report accuracy, per-class precision/recall/F1 and
// the confusion matrix on the UCR test set (--json for machines).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatReport } from '@ecg-onnx/core';
import { BACKEND_NAMES, type BackendName, DEFAULT_DATA_DIR, evaluateSavedModel, initBackend } from '@ecg-onnx/train';
import { runCommand } from '../run-command.js';

export interface EvalArgs {
  model: string;
  data: string;
  json: boolean;
  backend: string;
}

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: 'Evaluate a trained model (DIR/model from `ecg train`) on the UCR test set',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'model directory (model.json + weights.bin), e.g. runs/latest/model' })
      .option('data', { type: 'string', default: DEFAULT_DATA_DIR, defaultDescription: 'the shipped ECG5000 copy', describe: 'directory with NAME_TRAIN.tsv and NAME_TEST.tsv (or .txt)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('backend', { choices: BACKEND_NAMES, default: 'auto', describe: 'auto = tfjs-node if installed, else wasm' }) as unknown as Argv<EvalArgs>,
  handler: (args: ArgumentsCamelCase<EvalArgs>) =>
    runCommand(async () => {
      await initBackend(args.backend as BackendName);
      const { report, testFile } = await evaluateSavedModel(args.model, args.data);
      if (args.json) process.stdout.write(JSON.stringify({ model: args.model, testFile, ...report }, null, 2) + '\n');
      else process.stdout.write(`${args.model} on ${testFile} (${report.perClass.reduce((n, c) => n + c.support, 0)} series)\n${formatReport(report)}\n`);
    }),
};
