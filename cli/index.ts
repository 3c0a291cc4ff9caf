// The `ecg` CLI: one yargs command module per stage, listed explicitly (no registration by import).
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { evalCommand } from './commands/eval.js';
import { pipelineCommand } from './commands/pipeline.js';
import { trainCommand } from './commands/train.js';
import { parityCommand } from './commands/parity.js';
import { webCommand } from './commands/web.js';
import { predictCommand } from './commands/predict.js';
import { tritonCommand } from './commands/triton.js';
import { serveCommand } from './commands/serve.js';
import { exportCommand } from './commands/export.js';
import { inspectCommand } from './commands/inspect.js';

/** In data-flow order: train -> export -> runtimes -> parity; --help lists them in this order. */
const COMMANDS = [
  pipelineCommand,
  trainCommand,
  evalCommand,
  exportCommand,
  inspectCommand,
  predictCommand,
  serveCommand,
  tritonCommand,
  webCommand,
  parityCommand,
] as unknown as CommandModule[]; // each module narrows its own argument type

await yargs(hideBin(process.argv))
  .scriptName('ecg')
  .command(COMMANDS)
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
