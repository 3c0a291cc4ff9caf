// Exporter benchmark: export time, file size, and onnxruntime-node CPU throughput at batch 1, 32 and
// 1024 for our export with and without the optimisation passes (and with single passes turned off),
// side by side with torch.onnx's export of the same architecture (../shared/peers/torch_peer.py), in
// one run so machine drift cancels in the ratios. Usage:
//   npm run bench:export [-- --model DIR/model] [--threads 2] [--quick]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { classInfos } from '../core/spec.js';
import { exportModel } from '../export/node.js';
import { buildModel } from '../train/model.js';
import { saveLayersModel, tempDir } from '../test/export/fixtures.js';
import { measureBatch } from './ort-timing.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = Number(opt('threads') ?? 2);
const quick = args.includes('--quick');
const PEER = join(import.meta.dirname, '..', '..', 'shared', 'peers', 'torch_peer.py');

async function modelDir(): Promise<string> {
  const given = opt('model');
  if (given) return given;
  const dir = await tempDir('bench-export-');
  await saveLayersModel(buildModel({ inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5']) }), dir);
  return dir;
}

interface Candidate {
  label: string;
  bytes: Uint8Array;
  input: string;
  exportSeconds: number;
}

async function timeExport(dir: string, options: Parameters<typeof exportModel>[1], reps: number) {
  let best = Infinity;
  let bytes: Uint8Array = new Uint8Array();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    ({ bytes } = await exportModel(dir, options));
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { bytes, seconds: best };
}

const dir = await modelDir();
const candidates: Candidate[] = [];
const reps = quick ? 2 : 5;
for (const [label, options] of [
  ['ours, no passes', { optimize: false }],
  ['ours, optimized', {}],
  ['ours, optimized, convs kept 1-D', { liftConvs: false }],
  ['ours, lower every conv (Tout<=64)', { maxLoweredConvLength: 64 }],
] as const) {
  const { bytes, seconds } = await timeExport(dir, options, reps);
  candidates.push({ label, bytes, input: 'beats', exportSeconds: seconds });
}
const torchFile = join(await tempDir('bench-torch-'), 'torch.onnx');
let torchExport = NaN;
if (existsSync(PEER)) {
  const out = execFileSync('/usr/bin/python3', [PEER, 'export', torchFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  torchExport = Number(/torch\.onnx\.export s ([\d.]+)/.exec(out)?.[1]);
  candidates.push({ label: 'torch.onnx (peer)', bytes: new Uint8Array(await readFile(torchFile)), input: 'input', exportSeconds: torchExport });
} else {
  console.log(`(torch peer not found at ${PEER}: no torch column)`);
}

const work = await tempDir('bench-export-files-');
const files = await Promise.all(candidates.map(async (c, i) => {
  const file = join(work, `candidate${i}.onnx`);
  await writeFile(file, c.bytes);
  return file;
}));
const batches = [1, 32, 1024];
const [seconds, rounds] = quick ? [0.5, 1] : [1.5, 3];
const best = batches.map((batch) => measureBatch(files, candidates.map((c) => c.input), batch, seconds, rounds, threads));

const torchIdx = candidates.findIndex((c) => c.label.startsWith('torch'));
console.log(`\nonnxruntime-node ${ort.env.versions.common} CPU, ${threads} intra-op threads, one process per model and batch, models interleaved, median of ${rounds} rounds; model dir ${dir}`);
console.log('| export | export s | size KiB | batch 1 ms | batch 32 samples/s | batch 1024 samples/s | vs torch @1024 | vs torch @1 |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [i, c] of candidates.entries()) {
  const [b1, b32, b1024] = best.map((perBatch) => perBatch[i]!);
  const ratio1024 = torchIdx >= 0 ? best[2]![torchIdx]! / b1024! : NaN;
  const ratio1 = torchIdx >= 0 ? best[0]![torchIdx]! / b1! : NaN;
  console.log(
    `| ${c.label} | ${c.exportSeconds.toFixed(3)} | ${(c.bytes.length / 1024).toFixed(0)} | ${b1!.toFixed(3)} | ${((32 * 1000) / b32!).toFixed(0)} | ${((1024 * 1000) / b1024!).toFixed(0)} | ${ratio1024.toFixed(2)}x | ${ratio1.toFixed(2)}x |`,
  );
}
