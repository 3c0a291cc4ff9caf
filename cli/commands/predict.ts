// `ecg predict`: classify every beat of a TSV/CSV/.txt file with an exported .onnx, streaming.
import { SingleBar } from 'cli-progress';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatReport } from '@ecg-onnx/core';
import { describeProviderChoice, DEVICES, load, type Device } from '@ecg-onnx/runtime-node';
import { fileSize, OUTPUT_FORMAT_NAMES, predictFile } from '@ecg-onnx/runtime-node/predict';
import { runCommand } from '../run-command.js';

interface PredictArgs {
  model: string;
  input: string;
  format: string;
  device: string;
  'batch-size': number;
  threads: number;
  'label-column': string;
}

export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict',
  describe: 'Classify the beats of a file (label column optional: detected from the column count)',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'exported .onnx file' })
      .option('input', { type: 'string', demandOption: true, describe: 'beats file: UCR TSV, CSV or whitespace .txt, one beat per row' })
      .option('format', { choices: OUTPUT_FORMAT_NAMES, default: 'table', describe: 'output format on stdout' })
      .option('device', { choices: DEVICES, default: 'auto', describe: 'auto = CUDA when installed, else WebGPU on a hardware GPU (Vulkan), else CPU' })
      .option('batch-size', { type: 'number', default: 256, describe: 'beats per session run' })
      .option('threads', { type: 'number', default: 0, describe: 'onnxruntime intra-op threads (0 = one per core)' })
      .option('label-column', { choices: ['auto', 'yes', 'no'], default: 'auto', describe: 'is the first column a label?' }) as unknown as Argv<PredictArgs>,
  handler: (args: ArgumentsCamelCase<PredictArgs>) =>
    runCommand(async () => {
      const batchSize = args['batch-size'];
      const total = await fileSize(args.input); // a missing input fails before the model loads
      const classifier = await load(args.model, { device: args.device as Device, threads: args.threads, maxBatch: Math.max(1, Math.floor(batchSize) || 1) });
      const choice = describeProviderChoice({ provider: classifier.provider, failures: [...classifier.providerFailures], note: classifier.providerNote });
      process.stderr.write(`ecg predict: ${args.model} on ${choice}\n`);
      // Progress only on a terminal: redirected stderr (CI logs, pipes) stays clean.
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'predict [{bar}] {percentage}% | {rows} beats', stream: process.stderr, hideCursor: true }) : undefined;
      bar?.start(total, 0, { rows: 0 });
      const started = performance.now();
      try {
        const result = await predictFile(args.input, classifier, {
          format: args.format,
          batchSize,
          labelColumn: args['label-column'] as 'auto' | 'yes' | 'no',
          out: process.stdout,
          onProgress: (bytes, rows) => bar?.update(bytes, { rows }),
        });
        bar?.update(total);
        bar?.stop();
        if (result.report && result.reportNotWritten) process.stderr.write(`${formatReport(result.report)}\n`);
        const seconds = (performance.now() - started) / 1000;
        const accuracy = result.report ? `, accuracy ${(100 * result.report.accuracy).toFixed(2)}%` : '';
        process.stderr.write(`ecg predict: ${result.rows} beats in ${seconds.toFixed(2)} s${accuracy}\n`);
      } finally {
        bar?.stop();
        await classifier.dispose();
      }
    }),
};
