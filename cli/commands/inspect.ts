// `ecg inspect`: what an .onnx file holds - inputs, outputs, opset, metadata, node counts.
import { readFile } from 'node:fs/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ModelFormatError } from '@ecg-onnx/core';
import { decodeModel, type OnnxModelSummary } from '@ecg-onnx/tfjs-layers-to-onnx/node';
import { runCommand } from '../run-command.js';

interface InspectArgs {
  file: string;
  json: boolean;
}

export function formatInspection(file: string, m: OnnxModelSummary, bytes: number): string {
  const shape = (s: (number | string)[]) => `[${s.join(', ')}]`;
  const lines = [
    `${file}: ${(bytes / 1024).toFixed(1)} KiB, IR ${m.irVersion}, opset ${m.opset}, producer ${m.producer || '(none)'}, graph "${m.graphName}"`,
    ...m.inputs.map((v) => `  input  ${v.name} ${shape(v.shape)}${v.dtype === 'float32' ? '' : ` ${v.dtype}`}`),
    ...m.outputs.map((v) => `  output ${v.name} ${shape(v.shape)}`),
    `  nodes  ${m.nodes.length}: ${Object.entries(m.nodesByOp).map(([op, n]) => `${op} ${n}`).join(', ')}`,
    `  params ${m.parameters.toLocaleString('en-US')} in ${m.initializers.length} initializers`,
    '  metadata:',
    ...Object.entries(m.metadata).map(([k, v]) => `    ${k} = ${v}`),
  ];
  return lines.join('\n');
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <file>',
  describe: 'Print an .onnx file\'s inputs, outputs, opset, metadata and node counts',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'the .onnx file' })
      .option('json', { type: 'boolean', default: false, describe: 'print everything (nodes included) as JSON' }) as unknown as Argv<InspectArgs>,
  handler: (args: ArgumentsCamelCase<InspectArgs>) =>
    runCommand(async () => {
      const bytes = await readFile(args.file).catch((e: NodeJS.ErrnoException) => {
        throw new ModelFormatError(`${args.file}: cannot be read (${e.code ?? e.message}); pass an .onnx file written by "ecg export"`);
      });
      const m = decodeModel(bytes, args.file);
      process.stdout.write(args.json ? `${JSON.stringify(m, null, 2)}\n` : `${formatInspection(args.file, m, bytes.length)}\n`);
    }),
};
