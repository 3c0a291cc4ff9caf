// `ecg triton`: write a Triton Inference Server model repository for an exported .onnx.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeTritonRepository } from '@ecg-onnx/runtime-node/triton';
import { runCommand } from '../run-command.js';

interface TritonArgs {
  onnx: string;
  out: string;
  name: string;
  'max-batch': number;
  'max-queue-delay-us': number;
}

export const tritonCommand: CommandModule<object, TritonArgs> = {
  command: 'triton',
  describe: 'Write a Triton model repository: OUT/<name>/config.pbtxt, labels.txt, 1/model.onnx',
  builder: (y: Argv) =>
    y
      .option('onnx', { type: 'string', demandOption: true, describe: 'exported .onnx file' })
      .option('out', { type: 'string', demandOption: true, describe: 'model repository folder (other models in it are kept)' })
      .option('name', { type: 'string', default: 'ecg', describe: 'model name' })
      .option('max-batch', { type: 'number', default: 64, describe: 'max_batch_size for the dynamic batcher' })
      .option('max-queue-delay-us', { type: 'number', default: 2000, describe: 'dynamic batching wait (microseconds)' }) as unknown as Argv<TritonArgs>,
  handler: (args: ArgumentsCamelCase<TritonArgs>) =>
    runCommand(async () => {
      const repo = await writeTritonRepository(args.onnx, args.out, { name: args.name, maxBatch: args['max-batch'], maxQueueDelayUs: args['max-queue-delay-us'] });
      process.stdout.write(
        `wrote ${repo.configPath} and ${repo.modelPath}\n` +
          `run: docker run --rm -p 8000:8000 -v "$(realpath ${args.out})":/models nvcr.io/nvidia/tritonserver:<yy.mm>-py3 tritonserver --model-repository=/models\n`,
      );
    }),
};
