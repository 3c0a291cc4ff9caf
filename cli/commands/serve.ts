// `ecg serve`: the HTTP inference server for an exported .onnx (its own /v1 API and the Open Inference
// Protocol /v2 that Triton speaks), with dynamic batching and a graceful SIGTERM/SIGINT drain.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeProviderChoice, DEVICES, load, type Device } from '@ecg-onnx/runtime-node';
import { DEFAULT_BODY_LIMIT, startServer } from '@ecg-onnx/runtime-node/server';
import { runCommand } from '../run-command.js';

interface ServeArgs {
  model: string;
  host: string;
  port: number;
  device: string;
  threads: number;
  'max-batch'?: number;
  'batch-wait-ms': number;
  batching: boolean;
  'body-limit': number;
  'max-beats': number;
  log: boolean;
  name: string;
  'model-version': string;
}

// A GPU is only busy with large batches (one upload, one read-back per run); on the CPU, small batches
// keep latency low and already use every core.
const CPU_MAX_BATCH = 64;
const GPU_MAX_BATCH = 1024;

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'HTTP inference server: POST /v1/classify, GET /healthz, /v1/metadata, /metrics; Open Inference Protocol (KServe v2, Triton): /v2/models/<name>/infer, /v2/health/ready, ...',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'exported .onnx file' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind (loopback by default)' })
      .option('port', { type: 'number', default: 8080, describe: 'port (0 = any free port)' })
      .option('device', { choices: DEVICES, default: 'auto', describe: 'auto = CUDA when installed, else WebGPU on a hardware GPU (Vulkan), else CPU' })
      .option('threads', { type: 'number', default: 0, describe: 'onnxruntime intra-op threads (0 = one per core)' })
      .option('max-batch', { type: 'number', describe: `most beats merged into one session run (default ${CPU_MAX_BATCH} on CPU, ${GPU_MAX_BATCH} on a GPU)` })
      .option('batch-wait-ms', { type: 'number', default: 2, describe: 'how long a request waits for others to join its batch' })
      .option('batching', { type: 'boolean', default: true, describe: 'dynamic batching (--no-batching runs each request alone)' })
      .option('body-limit', { type: 'number', default: DEFAULT_BODY_LIMIT, describe: 'request body limit in bytes (larger -> 413)' })
      .option('max-beats', { type: 'number', default: 1024, describe: 'most beats per request (more -> 400)' })
      .option('log', { type: 'boolean', default: false, describe: 'log every request (JSON lines on stdout)' })
      .option('name', { type: 'string', default: 'ecg', describe: 'model name in /v2 URLs (as `ecg triton --name`)' })
      .option('model-version', { type: 'string', default: '1', describe: 'model version in /v2 URLs (`ecg triton` writes version 1)' }) as unknown as Argv<ServeArgs>,
  handler: (args: ArgumentsCamelCase<ServeArgs>) =>
    runCommand(async () => {
      const classifier = await load(args.model, { device: args.device as Device, threads: args.threads, maxBatch: Math.max(1, args['max-batch'] ?? GPU_MAX_BATCH) });
      const server = await startServer(classifier, {
        host: args.host,
        port: args.port,
        maxBatch: args['max-batch'] ?? (classifier.provider === 'cpu' ? CPU_MAX_BATCH : GPU_MAX_BATCH),
        batchWaitMs: args['batch-wait-ms'],
        batching: args.batching,
        bodyLimit: args['body-limit'],
        maxBeatsPerRequest: args['max-beats'],
        logger: args.log,
        modelName: args.name,
        modelVersion: String(args['model-version']),
      });
      const choice = describeProviderChoice({ provider: classifier.provider, failures: [...classifier.providerFailures], note: classifier.providerNote });
      // Tests and scripts wait for this line (it carries the real port when --port 0).
      process.stderr.write(`ecg serve: listening on ${server.url} on ${choice}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.stderr.write(`ecg serve: ${signal}, draining in-flight requests\n`);
          server.close().then(resolve, (err: unknown) => {
            process.stderr.write(`ecg serve: error while closing: ${String(err)}\n`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      process.stderr.write('ecg serve: stopped\n');
    }),
};
