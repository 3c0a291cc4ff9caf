// The `ecg` CLI: one yargs command module per stage, listed explicitly (no registration by import).
// Only the command being run is imported, so `ecg --help` and light commands do not pay for TF.js,
// onnxruntime, fastify or playwright start-up.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';

interface CommandEntry {
  name: string;
  /** One line for the top-level `ecg --help` (each module has its own, fuller `describe`). */
  summary: string;
  load: () => Promise<CommandModule>;
}

// Each module narrows its own argument type, hence the casts to the plain CommandModule.
/** In data-flow order: train -> export -> runtimes -> parity; --help lists them in this order. */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'pipeline', summary: 'Run the whole job: train -> evaluate -> export -> predict -> parity', load: async () => (await import('./commands/pipeline.js')).pipelineCommand as unknown as CommandModule },
  { name: 'train', summary: "Train the paper's CNN-GRU-SE model on a UCR data set", load: async () => (await import('./commands/train.js')).trainCommand as unknown as CommandModule },
  { name: 'tune', summary: 'Choose the recipe by cross-validation on TRAIN only (never opens TEST)', load: async () => (await import('./commands/tune.js')).tuneCommand as unknown as CommandModule },
  { name: 'eval', summary: 'Evaluate a trained model on the UCR test set', load: async () => (await import('./commands/eval.js')).evalCommand as unknown as CommandModule },
  { name: 'export', summary: 'Export a TF.js layers model to ONNX', load: async () => (await import('./commands/export.js')).exportCommand as unknown as CommandModule },
  { name: 'inspect', summary: "Print an .onnx file's inputs, outputs, opset, metadata and node counts", load: async () => (await import('./commands/inspect.js')).inspectCommand as unknown as CommandModule },
  { name: 'predict', summary: 'Classify the beats of a TSV/CSV/.txt file with an .onnx model', load: async () => (await import('./commands/predict.js')).predictCommand as unknown as CommandModule },
  { name: 'serve', summary: 'HTTP inference server with dynamic batching', load: async () => (await import('./commands/serve.js')).serveCommand as unknown as CommandModule },
  { name: 'triton', summary: 'Write a Triton Inference Server model repository', load: async () => (await import('./commands/triton.js')).tritonCommand as unknown as CommandModule },
  { name: 'web', summary: 'Serve the in-browser classifier page and the model on 127.0.0.1', load: async () => (await import('./commands/web.js')).webCommand as unknown as CommandModule },
  { name: 'parity', summary: 'Compare TF.js and every ONNX runtime on the same test beats', load: async () => (await import('./commands/parity.js')).parityCommand as unknown as CommandModule },
];

const argv = hideBin(process.argv);
const chosen = COMMANDS.find((c) => c.name === argv[0]);
let cli = yargs(argv).scriptName('ecg');
if (chosen) cli = cli.command(await chosen.load());
else for (const c of COMMANDS) cli = cli.command(c.name, c.summary);

await cli
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
