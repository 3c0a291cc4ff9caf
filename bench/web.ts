// Web-runtime benchmark, printed as tables (numbers live here, never in tests):
//  1. onnxruntime-web WASM in Node vs onnxruntime-node CPU, side by side in one run (interleaved
//     rounds, so machine drift hits both): batch-1 latency and batch-32 throughput.
//  2. The page in Chromium, WASM vs WebGPU (SwiftShader: a software GPU, reported, not tuned):
//     page load to first prediction, per-beat time at batch 1 and at batch 256.
//   npm run bench:web [-- --onnx FILE.onnx] [--rounds 30]
import { readFile } from 'node:fs/promises';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { load as loadNode } from '../runtime-node/index.js';
import { load as loadWeb } from '../runtime-web/index.js';
import { ensureWebBuild } from '../runtime-web/page/build.js';
import { startWebServer } from '../runtime-web/page/server.js';
import { pickBundledBeats } from '../runtime-web/page/bundled-beats.js';
import { chromiumAvailable, CHROMIUM_INSTALL_HINT, launchChromium, openPage } from '../parity/chromium.js';
import { classifyBundledBeats, uploadBatch } from '../parity/page-driver.js';
import { benchModelPath } from './runtime-node-model.js';

const args = await yargs(hideBin(process.argv))
  .option('onnx', { type: 'string', describe: 'model to time (default: trained test export, else an untrained Table 1 export)' })
  .option('rounds', { type: 'number', default: 30, describe: 'timed runs per Node configuration' })
  .option('chromium', { type: 'boolean', default: true, describe: 'also time the page in Chromium (--no-chromium: Node only)' })
  .option('page-loads', { type: 'number', default: 3, describe: 'fresh browser launches per provider for load time' })
  .strict()
  .parseAsync();

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const table = (header: string[], rows: string[][]) => {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
};

const { path, origin } = await benchModelPath(args.onnx);
const onnx = new Uint8Array(await readFile(path));
console.log(`model: ${path} (${origin}), ${(onnx.byteLength / 1024).toFixed(0)} KiB\n`);
const beats = pickBundledBeats(undefined, 64).map((b) => Float32Array.from(b.values));

// 1. Node, side by side.
const contenders = [
  { name: 'onnxruntime-web WASM (Node, 1 thread)', c: await loadWeb(onnx, { provider: 'wasm', numThreads: 1 }) },
  { name: 'onnxruntime-node CPU (1 thread)', c: await loadNode(onnx, { device: 'cpu', threads: 1 }) },
  { name: 'onnxruntime-node CPU (default threads)', c: await loadNode(onnx, { device: 'cpu' }) },
];
const one = new Map<string, number[]>();
const b32 = new Map<string, number[]>();
for (const { c } of contenders) await c.classify(beats.slice(0, 32)); // warm-up
for (let r = 0; r < args.rounds; r++) {
  for (const { name, c } of contenders) {
    let t = performance.now();
    await c.classify([beats[r % beats.length]!]);
    one.set(name, [...(one.get(name) ?? []), performance.now() - t]);
    t = performance.now();
    await c.classify(beats.slice(0, 32));
    b32.set(name, [...(b32.get(name) ?? []), performance.now() - t]);
  }
}
const base = quantile(b32.get(contenders[0]!.name)!, 0.5);
console.log(`Node (${args.rounds} interleaved rounds)`);
console.log(
  table(
    ['runtime', 'batch 1 p50 ms', 'batch 1 p99 ms', 'batch 32 samples/s', 'batch 32 speed vs ort-web WASM'],
    [
      ...contenders.map(({ name }) => {
        const p50 = quantile(b32.get(name)!, 0.5);
        return [name, quantile(one.get(name)!, 0.5).toFixed(2), quantile(one.get(name)!, 0.99).toFixed(2), (32_000 / p50).toFixed(0), `${(base / p50).toFixed(2)}x`];
      }),
      ['(torch export of the same architecture, quoted)', '1.80', '-', '1208', '-'],
    ],
  ),
);
for (const { c } of contenders) await c.dispose();

// 2. Chromium.
if (!args.chromium) {
  // Node only.
} else if (!chromiumAvailable()) {
  console.log(`\nChromium: skipped (not installed; ${CHROMIUM_INSTALL_HINT})`);
} else {
  const server = await startWebServer({ distDir: await ensureWebBuild({ log: console.log }), model: onnx });
  const tsv = pickBundledBeats(undefined, 64).slice(0, 256).map((b) => [b.label, ...b.values].join('\t')).join('\n');
  const rows: string[][] = [];
  for (const provider of ['wasm', 'webgpu'] as const) {
    const loads: number[] = [];
    let single: number[] = [];
    let batch: number[] = [];
    for (let i = 0; i < args['page-loads']; i++) {
      const browser = await launchChromium(provider);
      try {
        const opened = await openPage(browser, server.url, provider);
        loads.push(opened.firstPredictionMs);
        if (i === 0) {
          // The first result is the on-load run (includes warm-up): drop it.
          single = [...(await classifyBundledBeats(opened.page)).slice(1), ...(await classifyBundledBeats(opened.page))].map((r) => r.inferenceMs);
          for (let k = 0; k < 3; k++) batch.push((await uploadBatch(opened.page, tsv)).inferenceMs / 256);
          batch = batch.slice(1);
        }
      } finally {
        await browser.close();
      }
    }
    rows.push([`Chromium ${provider}`, quantile(loads, 0.5).toFixed(0), quantile(single, 0.5).toFixed(2), quantile(single, 0.99).toFixed(2), quantile(batch, 0.5).toFixed(3)]);
  }
  await server.close();
  console.log(`\nChromium (page served from 127.0.0.1; ${args['page-loads']} fresh launches for load time)`);
  console.log(table(['page', 'load->first prediction ms (p50)', 'batch 1 ms p50', 'batch 1 ms p99', 'batch 256 ms/beat'], rows));
}
