// `ecg export`: a saved TF.js layers model -> one validated .onnx (atomic write), one-line summary.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatExportSummary, MIN_OPSET, OPSET, writeOnnx, type ExportContract } from '@ecg-onnx/tfjs-layers-to-onnx/node';
import { runCommand } from '../run-command.js';

interface ExportArgs {
  model: string;
  out: string;
  opset: number;
  optimize: boolean;
  metrics?: string;
  contract: string;
  dynamicTime: boolean;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'Export a TF.js layers model (model.json + weights) to ONNX',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'folder with model.json (e.g. runs/latest/model) or model.json itself' })
      .option('out', { type: 'string', demandOption: true, describe: 'the .onnx file to write' })
      .option('opset', { type: 'number', default: OPSET, describe: `ONNX opset, ${MIN_OPSET}..${OPSET}` })
      .option('optimize', { type: 'boolean', default: true, describe: 'run the optimisation passes (--no-optimize to skip)' })
      .option('metrics', { type: 'string', describe: 'metrics.json with class names and test accuracy (default: found beside the model)' })
      .option('contract', { choices: ['auto', 'ecg', 'generic'], default: 'auto', describe: 'graph signature: ecg (input beats, output probabilities, ECG metadata), generic (the model\'s own input/output names), auto (ecg when the model fits it)' })
      .option('dynamic-time', { type: 'boolean', default: false, describe: 'leave the time axis of sequence inputs dynamic (recurrent models; implies --contract generic)' }) as unknown as Argv<ExportArgs>,
  handler: (args: ArgumentsCamelCase<ExportArgs>) =>
    runCommand(async () => {
      const summary = await writeOnnx(args.model, args.out, { opset: args.opset, optimize: args.optimize, metricsPath: args.metrics, contract: args.contract as ExportContract, dynamicTime: args.dynamicTime });
      process.stdout.write(`${args.out}: ${formatExportSummary(summary)}\n`);
    }),
};
