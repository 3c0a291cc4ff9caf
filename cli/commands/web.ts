// `ecg web`: serve the built web page with the model at /model.onnx, on 127.0.0.1.
import { readFile } from 'node:fs/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InvalidInputError, ModelFormatError, readModelMetadata } from '@ecg-onnx/core';
import { startWebServer, webAppDir } from '@ecg-onnx/web-app';
import { runCommand } from '../run-command.js';

interface WebArgs {
  model: string;
  port: number;
}

export const webCommand: CommandModule<object, WebArgs> = {
  command: 'web',
  describe: 'Serve the in-browser classifier page (WebGPU, else multi-threaded WASM) and the model on 127.0.0.1',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'exported .onnx file' })
      .option('port', { type: 'number', default: 8000, describe: 'port on 127.0.0.1 (0 = any free port)' }) as unknown as Argv<WebArgs>,
  handler: (args: ArgumentsCamelCase<WebArgs>) =>
    runCommand(async () => {
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
        throw new InvalidInputError(undefined, `--port must be an integer from 0 to 65535, got ${args.port}`);
      }
      const model = new Uint8Array(await readFile(args.model).catch((e: NodeJS.ErrnoException) => {
        throw new ModelFormatError(`--model ${args.model}: cannot read the file (${e.code ?? e.message}); pass the .onnx written by "ecg export"`);
      }));
      const metadata = readModelMetadata(model, args.model); // a wrong file fails here, not in the browser
      const distDir = webAppDir(); // the page is built with the package (npm run build in the repository)
      const server = await startWebServer({ distDir, model, port: args.port }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new InvalidInputError(undefined, `--port ${args.port} is in use on 127.0.0.1; pick another port or 0 for any free one`);
        throw e;
      });
      process.stdout.write(`ecg web: ${args.model} (${metadata.classes.length} classes) at ${server.url}\n`);
      process.stdout.write('ecg web: force a provider with ?provider=wasm|webgpu, a thread count with ?threads=N, an onnxruntime-web build with ?ort=wasm|jspi|asyncify; Ctrl-C stops\n');
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }),
};
