// The `ecg` CLI: one yargs command module per stage, listed explicitly (no registration by import).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { predictCommand } from './commands/predict.js';

await yargs(hideBin(process.argv))
  .scriptName('ecg')
  .command([predictCommand])
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .help()
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
