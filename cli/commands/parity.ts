// `ecg parity`: the same test beats through TF.js and every ONNX runtime; prints the parity table. For
// a model of any other signature (or with --inputs) its own inputs, from files or random.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import { DEFAULT_PARITY_DEVICES, formatParityTable, PARITY_NODE_DEVICES, parityRuntimes, runParity, type ParityNodeDevice } from '@ecg-onnx/parity';
import type { BackendName } from '@ecg-onnx/train';
import { runCommand } from '../run-command.js';

interface ParityArgs {
  model: string;
  onnx: string;
  n?: number;
  data?: string;
  out?: string;
  backend: string;
  device: string[];
  inputs?: string[];
  seed?: number;
  length?: number;
}

export const parityCommand: CommandModule<object, ParityArgs> = {
  command: 'parity',
  describe: 'Compare TF.js, onnxruntime-node, onnxruntime-web (Node, Chromium WASM/WebGPU) on the same inputs (test beats, or any model\'s own inputs)',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'saved TF.js model: folder with model.json (DIR/model from "ecg train") or model.json itself' })
      .option('onnx', { type: 'string', demandOption: true, describe: 'the .onnx exported from it' })
      .option('n', { type: 'number', describe: 'ECG: first N beats of the test set (default: all 4500); other models: random samples (default 32)' })
      .option('inputs', { type: 'string', array: true, describe: 'inputs for a model of any signature: one .npy per graph input (in order) or one .json (default: random inputs of its signature)' })
      .option('seed', { type: 'number', describe: 'seed of the random inputs (default 1)' })
      .option('length', { type: 'number', describe: 'size of dynamic dims (e.g. time) of random inputs the model leaves open (default 16)' })
      .option('data', { type: 'string', describe: 'labelled UCR file (default data/ECG5000/ECG5000_TEST.tsv)' })
      .option('backend', { choices: ['auto', 'node', 'wasm', 'cpu'], default: 'auto', describe: 'TF.js backend for the reference run' })
      .option('device', {
        type: 'array',
        choices: PARITY_NODE_DEVICES,
        default: [...DEFAULT_PARITY_DEVICES],
        describe: 'onnxruntime-node devices, one row each (webgpu without a Vulkan driver: a skipped row; cuda must load)',
      })
      .option('out', { type: 'string', describe: 'also write the report as JSON here' }) as unknown as Argv<ParityArgs>,
  handler: (args: ArgumentsCamelCase<ParityArgs>) =>
    runCommand(async () => {
      const report = await runParity({
        model: args.model,
        onnx: args.onnx,
        n: args.n,
        data: args.data,
        backend: args.backend as BackendName,
        runtimes: parityRuntimes(args.device.map(String) as ParityNodeDevice[]),
        inputs: args.inputs,
        seed: args.seed,
        length: args.length,
        log: (line) => process.stderr.write(`ecg parity: ${line}\n`),
      });
      process.stdout.write(`${formatParityTable(report)}\n`);
      if (args.out) {
        await writeFileAtomic(args.out, `${JSON.stringify(report, null, 2)}\n`);
        process.stderr.write(`ecg parity: wrote ${args.out}\n`);
      }
    }),
};
