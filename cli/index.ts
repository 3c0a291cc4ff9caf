// The `ecg` CLI: one yargs command module per stage, listed explicitly (no registration by import).
import yargs from 'yargs';
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

await yargs(hideBin(process.argv))
  .scriptName('ecg')
  .command([trainCommand, evalCommand, pipelineCommand, predictCommand, serveCommand, tritonCommand, webCommand, parityCommand, exportCommand, inspectCommand])
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
