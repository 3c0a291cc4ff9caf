// Child process of bench/export.ts: times one .onnx in onnxruntime-node CPU at one batch size, alone in
// its process (no other session's spinning worker threads competing for the cores), and prints
// {"ms": median ms per run}. Plain JS so the process starts in ~0.2 s.
//   node bench/ort-throughput.mjs FILE.onnx INPUT_NAME BATCH SECONDS THREADS
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [file, input, batchArg, secondsArg, threadsArg] = process.argv.slice(2);
const batch = Number(batchArg);
const session = await ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: Number(threadsArg), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
// Smooth beat-like values (a seeded formula): identical inputs for every model and run.
const x = new ort.Tensor('float32', Float32Array.from({ length: batch * 140 }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3)), [batch, 140, 1]);
const feeds = { [input]: x };
for (let i = 0; i < 3; i++) await session.run(feeds);
const block = Math.max(1, Math.floor(64 / batch));
const times = [];
const start = performance.now();
while (performance.now() - start < Number(secondsArg) * 1000 || times.length < 5) {
  const t = performance.now();
  for (let r = 0; r < block; r++) await session.run(feeds);
  times.push((performance.now() - t) / block);
}
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ ms: times[Math.floor(times.length / 2)] }) + '\n');
