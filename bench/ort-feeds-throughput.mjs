// Child process of bench/corpus.ts: times one .onnx of any signature in onnxruntime-node CPU at one
// batch size, alone in its process, on the inputs in FEEDS.json (+ .bin: the largest batch, sliced
// here), and prints {"ms": median ms per run}. Plain JS so the process starts in ~0.2 s.
//   node bench/ort-feeds-throughput.mjs FILE.onnx FEEDS.json BATCH SECONDS THREADS
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [file, feedsFile, batchArg, secondsArg, threadsArg] = process.argv.slice(2);
const batch = Number(batchArg);
const specs = JSON.parse(readFileSync(feedsFile, 'utf8'));
const blob = readFileSync(feedsFile.replace(/\.json$/, '.bin'));
const feeds = {};
for (const f of specs) {
  const row = f.length / f.shape[0];
  const bytes = blob.buffer.slice(blob.byteOffset + f.offset, blob.byteOffset + f.offset + batch * row * 4);
  const data = f.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  feeds[f.name] = new ort.Tensor(f.dtype, data, [batch, ...f.shape.slice(1)]);
}
const session = await ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: Number(threadsArg), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
for (let i = 0; i < 3; i++) await session.run(feeds);
const block = Math.max(1, Math.floor(32 / batch));
const times = [];
const start = performance.now();
while (performance.now() - start < Number(secondsArg) * 1000 || times.length < 5) {
  const t = performance.now();
  for (let r = 0; r < block; r++) await session.run(feeds);
  times.push((performance.now() - t) / block);
}
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ ms: times[Math.floor(times.length / 2)] }) + '\n');
