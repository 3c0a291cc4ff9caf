// Exporter benchmark: export time, file size, and onnxruntime-node CPU throughput at batch 1, 32 and
// 1024 for our export with and without the optimisation passes (and per conv-lowering threshold),
// side by side with torch.onnx's export of the same architecture (../shared/peers/torch_peer.py), in
// one run so machine drift cancels in the ratios. Usage:
//   npm run bench:export [-- --model DIR/model] [--threads 2] [--quick]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { classInfos } from '../core/spec.js';
import { exportLayersModel } from '../export/index.js';
import { buildModel } from '../train/model.js';
import { randomInput, saveLayersModel, tempDir } from '../test/export/fixtures.js';

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

async function timeExport(dir: string, options: Parameters<typeof exportLayersModel>[1], reps: number) {
  let best = Infinity;
  let bytes: Uint8Array = new Uint8Array();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    ({ bytes } = await exportLayersModel(dir, options));
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { bytes, seconds: best };
}

/**
 * Round-robin timing: each round runs every candidate once (a block of runs for small batches), so
 * load from other processes hits all candidates alike; reports the median ms per session.run.
 */
async function measureBatch(sessions: ort.InferenceSession[], inputs: string[], batch: number, budgetMs: number): Promise<number[]> {
  const x = new ort.Tensor('float32', randomInput(batch, [140, 1], batch), [batch, 140, 1]);
  const block = Math.max(1, Math.floor(64 / batch));
  for (const [i, s] of sessions.entries()) await s.run({ [inputs[i]!]: x });
  const times: number[][] = sessions.map(() => []);
  const start = performance.now();
  while (performance.now() - start < budgetMs * sessions.length || times[0]!.length < 5) {
    for (const [i, s] of sessions.entries()) {
      const t = performance.now();
      for (let r = 0; r < block; r++) await s.run({ [inputs[i]!]: x });
      times[i]!.push((performance.now() - t) / block);
    }
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!);
}

const dir = await modelDir();
const candidates: Candidate[] = [];
const reps = quick ? 2 : 5;
for (const [label, options] of [
  ['ours, no passes', { optimize: false }],
  ['ours, optimized', {}],
  ['ours, lower every conv (Tout<=64)', { maxLoweredConvLength: 64 }],
  ['ours, lower Tout<=16', { maxLoweredConvLength: 16 }],
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

const sessions = await Promise.all(
  candidates.map((c) => ort.InferenceSession.create(c.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' })),
);
const batches = [1, 32, 1024];
const budget = quick ? 300 : 2000;
const best = candidates.map(() => batches.map(() => Infinity));
for (const [b, batch] of batches.entries()) {
  const medians = await measureBatch(sessions, candidates.map((c) => c.input), batch, budget);
  medians.forEach((m, i) => (best[i]![b] = m));
}

const torchIdx = candidates.findIndex((c) => c.label.startsWith('torch'));
console.log(`\nonnxruntime-node ${ort.env.versions.common} CPU, ${threads} intra-op threads, median of round-robin runs; model dir ${dir}`);
console.log('| export | export s | size KiB | batch 1 ms | batch 32 samples/s | batch 1024 samples/s | vs torch @1024 | vs torch @1 |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [i, c] of candidates.entries()) {
  const [b1, b32, b1024] = best[i]!;
  const ratio1024 = torchIdx >= 0 ? best[torchIdx]![2]! / b1024! : NaN;
  const ratio1 = torchIdx >= 0 ? best[torchIdx]![0]! / b1! : NaN;
  console.log(
    `| ${c.label} | ${c.exportSeconds.toFixed(3)} | ${(c.bytes.length / 1024).toFixed(0)} | ${b1!.toFixed(3)} | ${((32 * 1000) / b32!).toFixed(0)} | ${((1024 * 1000) / b1024!).toFixed(0)} | ${ratio1024.toFixed(2)}x | ${ratio1.toFixed(2)}x |`,
  );
}
