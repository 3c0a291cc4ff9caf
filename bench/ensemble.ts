// An ensemble in one .onnx against one of its members: export time, file size and onnxruntime-node CPU
// latency / throughput at batch 1, 32 and 1024, each file alone in its own process, interleaved.
//   npx tsx bench/ensemble.ts --ensemble runs/accuracy/cv/seed-101/ensemble [--threads 2] [--rounds 3]
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exportModel } from '../export/node.js';
import { measureBatch } from './ort-timing.js';

const argv = await yargs(hideBin(process.argv))
  .option('ensemble', { type: 'string', demandOption: true, describe: 'folder written by ecg train --ensemble K' })
  .option('threads', { type: 'number', default: 2 })
  .option('rounds', { type: 'number', default: 3 })
  .option('seconds', { type: 'number', default: 2, describe: 'per measurement' })
  .strict()
  .parseAsync();

const out = await mkdtemp(join(tmpdir(), 'bench-ensemble-'));
const rows: { label: string; file: string; bytes: number; exportS: number }[] = [];
for (const [label, source] of [
  ['single model (member 0)', join(argv.ensemble, 'members', '0', 'model')],
  ['ensemble, one .onnx', argv.ensemble],
] as const) {
  const started = performance.now();
  const { bytes } = await exportModel(source);
  const exportS = (performance.now() - started) / 1000;
  const file = join(out, `${rows.length}.onnx`);
  await writeFile(file, bytes);
  rows.push({ label, file, bytes: bytes.byteLength, exportS });
}
const batches = [1, 32, 1024];
const ms = batches.map((b) => measureBatch(rows.map((r) => r.file), rows.map(() => 'beats'), b, argv.seconds, argv.rounds, argv.threads));
console.log(`\nonnxruntime-node CPU, ${argv.threads} threads, median of ${argv.rounds} rounds, each file alone in its process`);
console.log('| model | export s | MiB | batch 1 ms | batch 32 beats/s | batch 1024 beats/s |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [i, r] of rows.entries()) {
  const perS = (j: number) => Math.round((batches[j]! * 1000) / ms[j]![i]!).toLocaleString('en-US');
  console.log(`| ${r.label} | ${r.exportS.toFixed(3)} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${ms[0]![i]!.toFixed(3)} | ${perS(1)} | ${perS(2)} |`);
}
