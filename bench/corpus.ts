// Corpus benchmark: for each real architecture of the exporter corpus (test/export/corpus.ts):
// export time, .onnx size, and onnxruntime-node CPU at batch 1 and 32 side by side with TF.js's own
// predict on its fastest backend here (wasm), in the same run, on the same inputs. Goal: ONNX >= 3x
// TF.js wasm on every model. onnxruntime runs each model alone in a child process (like
// bench/export.ts) with 1 intra-op thread (TF.js's wasm backend runs one in Node) and with 2 (the
// cores here); TF.js runs in this process, between them. Usage:
//   npm run bench:corpus [-- --threads 1,2] [--quick] [--only mobilenet]
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { exportModel } from '../export/node.js';
import { CORPUS } from '../test/export/corpus.js';
import { randomFeeds, saveLayersModel, tempDir, type Feed } from '../test/export/fixtures.js';
import { decodeModel } from '../export/onnx-builder.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const threadCounts = (opt('threads') ?? '1,2').split(',').map(Number);
const quick = args.includes('--quick');
const only = opt('only');
const [seconds, rounds] = quick ? [0.5, 1] : [1.5, 3];
const CHILD = join(import.meta.dirname, 'ort-feeds-throughput.mjs');

const wasm = await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend did not start');

/** Writes FEEDS.json + FEEDS.bin (the batch-32 inputs) for the child. */
async function writeFeeds(feeds: Feed[], file: string): Promise<void> {
  let offset = 0;
  const specs = feeds.map((f) => ({ name: f.name, dtype: f.dtype, shape: f.shape, offset: (offset += f.data.byteLength) - f.data.byteLength, length: f.data.length }));
  const blob = new Uint8Array(offset);
  feeds.forEach((f, i) => blob.set(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength), specs[i]!.offset));
  await writeFile(file, JSON.stringify(specs));
  await writeFile(file.replace(/\.json$/, '.bin'), blob);
}

/** Median ms per TF.js predict of the first `batch` samples (wasm backend, warmed up). */
function tfjsMs(model: tf.LayersModel, feeds: Feed[], batch: number): number {
  const xs = feeds.map((f) => tf.tensor(f.data.subarray(0, (f.data.length / f.shape[0]!) * batch), [batch, ...f.shape.slice(1)], f.dtype));
  const run = () => tf.tidy(() => {
    const y = model.predict(xs);
    (Array.isArray(y) ? y : [y]).forEach((t) => t.dataSync());
  });
  for (let i = 0; i < 2; i++) run();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || times.length < 3) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  tf.dispose(xs);
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function ortMs(file: string, feedsFile: string, batch: number, threads: number): number {
  const out = execFileSync(process.execPath, [CHILD, file, feedsFile, String(batch), String(seconds), String(threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { ms: number }).ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[] = [];
for (const entry of CORPUS) {
  if (only && !entry.name.toLowerCase().includes(only.toLowerCase())) continue;
  const model = entry.build();
  const dir = await saveLayersModel(model, await tempDir('bench-corpus-'));
  let exportMs = Infinity;
  let bytes = new Uint8Array();
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const t = performance.now();
    ({ bytes } = await exportModel(dir));
    exportMs = Math.min(exportMs, performance.now() - t);
  }
  const file = join(dir, 'model.onnx');
  await writeFile(file, bytes);
  const signature = decodeModel(bytes).inputs;
  const feeds = entry.feeds ? entry.feeds(32, 7) : randomFeeds(model, 32, 7, signature);
  const feedsFile = join(dir, 'feeds.json');
  await writeFeeds(feeds, feedsFile);
  // [batch][run]: TF.js, then onnxruntime per thread count, interleaved round by round.
  const tfjs: number[][] = [[], []];
  const onnx: number[][][] = threadCounts.map(() => [[], []]);
  for (let r = 0; r < rounds; r++) {
    for (const [b, batch] of [1, 32].entries()) {
      tfjs[b]!.push(tfjsMs(model, feeds, batch));
      threadCounts.forEach((threads, t) => onnx[t]![b]!.push(ortMs(file, feedsFile, batch, threads)));
    }
  }
  const [t1, t32] = tfjs.map(median) as [number, number];
  const params = model.countParams();
  threadCounts.forEach((threads, t) => {
    const [o1, o32] = onnx[t]!.map(median) as [number, number];
    rows.push(`| ${entry.name} | ${(params / 1e3).toFixed(0)}k | ${exportMs.toFixed(0)} | ${(bytes.length / 1024).toFixed(0)} | ${threads} | ${t1.toFixed(2)} | ${o1.toFixed(2)} | ${(t1 / o1).toFixed(1)}x | ${((32 * 1000) / t32).toFixed(0)} | ${((32 * 1000) / o32).toFixed(0)} | ${(t32 / o32).toFixed(1)}x |`);
  });
  console.error(`bench:corpus: ${entry.name} done`);
  model.dispose();
}
console.log(`\nTF.js ${tf.version.tfjs} wasm backend (in process, ${wasm.getThreadsCount()} thread(s)) vs onnxruntime-node ${ort.env.versions.common} CPU (ORT threads: intra-op threads, one child process per model, batch and thread count), same inputs, median of ${rounds} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
console.log('| model | params | export ms | size KiB | ORT threads | TF.js wasm b1 ms | ONNX b1 ms | speedup b1 | TF.js wasm b32 samples/s | ONNX b32 samples/s | speedup b32 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
