// Web-runtime benchmark, printed as tables (numbers live here, never in tests):
//  1. onnxruntime-web WASM in Node vs onnxruntime-node CPU, side by side in one run (interleaved
//     rounds, so machine drift hits both): batch-1 latency and batch-32 throughput.
//  2. Page delivery in Chromium, per provider, before (#16: plain server, the asyncify WebGPU build for
//     everything, one thread) and after (smallest build for the provider, brotli, immutable caching,
//     ETags, COOP/COEP threads), interleaved: bytes transferred and load -> first prediction, cold
//     (fresh profile) and warm (second load, same profile). Bytes are exact; times depend on load.
//  3. WASM threads in Chromium: 1 thread vs one per core, batch 1 and batch 256, interleaved.
//  WebGPU runs on SwiftShader (a software GPU): correctness and bytes, not speed.
//   npm run bench:web [-- --onnx FILE.onnx] [--rounds 30] [--page-loads 2] [--thread-rounds 3] [--no-node --no-delivery --no-threads]
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { load as loadNode } from '../runtime-node/index.js';
import { load as loadWeb } from '../runtime-web/index.js';
import { ensureWebBuild } from '../runtime-web/page/build.js';
import { startWebServer } from '../runtime-web/page/server.js';
import { pickBundledBeats } from '../runtime-web/page/bundled-beats.js';
import { chromiumAvailable, CHROMIUM_INSTALL_HINT } from '../parity/chromium.js';
import { countingProxy } from '../parity/byte-counter.js';
import { batchMsPerBeat, batchOneMs, coldAndWarm, openThreaded, type LoadSample } from './web-page.js';
import { benchModelPath } from './runtime-node-model.js';

const args = await yargs(hideBin(process.argv))
  .option('onnx', { type: 'string', describe: 'model to time (default: trained test export, else an untrained Table 1 export)' })
  .option('rounds', { type: 'number', default: 30, describe: 'timed runs per Node configuration' })
  .option('chromium', { type: 'boolean', default: true, describe: 'also time the page in Chromium (--no-chromium: Node only)' })
  .option('page-loads', { type: 'number', default: 2, describe: 'fresh profiles per provider and delivery (each: a cold and a warm load)' })
  .option('thread-rounds', { type: 'number', default: 3, describe: 'interleaved rounds of the threads comparison' })
  .option('node', { type: 'boolean', default: true, describe: 'the Node table (--no-node skips it)' })
  .option('delivery', { type: 'boolean', default: true, describe: 'the page delivery table (--no-delivery skips it)' })
  .option('threads', { type: 'boolean', default: true, describe: 'the WASM threads table (--no-threads skips it)' })
  .option('providers', { type: 'array', default: ['wasm', 'webgpu'], choices: ['wasm', 'webgpu'], describe: 'providers for the delivery table' })
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
if (args.node) {
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
}

// 2. and 3. Chromium.
const median = (xs: number[]) => quantile(xs, 0.5);
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
if (!args.chromium) {
  // Node only.
} else if (!chromiumAvailable()) {
  console.log(`\nChromium: skipped (not installed; ${CHROMIUM_INSTALL_HINT})`);
} else {
  const distDir = await ensureWebBuild({ log: console.log });
  const servers = { before: await startWebServer({ distDir, model: onnx, delivery: 'plain' }), after: await startWebServer({ distDir, model: onnx }) };
  const proxies = { before: await countingProxy(servers.before.url), after: await countingProxy(servers.after.url) };
  const deliveries = [
    { name: 'before', query: (p: string) => `provider=${p}&ort=asyncify&threads=1` },
    { name: 'after', query: (p: string) => `provider=${p}` },
  ] as const;
  if (args.delivery) {
    const rows: string[][] = [];
    for (const provider of args.providers.map(String) as ('wasm' | 'webgpu')[]) {
      const samples = new Map<string, { cold: LoadSample; warm: LoadSample }[]>();
      for (let i = 0; i < args['page-loads']; i++) {
        for (const d of deliveries) samples.set(d.name, [...(samples.get(d.name) ?? []), await coldAndWarm(provider, proxies[d.name], d.query(provider))]);
      }
      const beforeCold = median(samples.get('before')!.map((s) => s.cold.bytes));
      for (const d of deliveries) {
        const runs = samples.get(d.name)!;
        const r = runs[0]!.cold.runtime;
        rows.push([
          `Chromium ${provider}, ${d.name}`,
          `${r.build}, ${r.threads} thr`,
          mb(median(runs.map((s) => s.cold.bytes))),
          `${(beforeCold / median(runs.map((s) => s.cold.bytes))).toFixed(1)}x`,
          median(runs.map((s) => s.cold.firstPredictionMs)).toFixed(0),
          mb(median(runs.map((s) => s.warm.bytes))),
          median(runs.map((s) => s.warm.firstPredictionMs)).toFixed(0),
          JSON.stringify(runs[0]!.warm.runtime.timings),
        ]);
      }
    }
    console.log(`\nPage delivery in Chromium (${args['page-loads']} fresh profiles each; bytes counted on the wire by a proxy; before = plain server, asyncify build, 1 thread)`);
    console.log(table(['page', 'build, threads', 'cold MB', 'cold bytes vs before', 'cold load->1st prediction ms', 'warm MB', 'warm load->1st prediction ms', 'warm load() steps (ms since start)'], rows));
  }

  if (args.threads) {
    // Threads: two pages open side by side, classified in turns.
    const cores = Math.min(4, cpus().length);
    const tsv = pickBundledBeats(undefined, 64).slice(0, 256).map((b) => [b.label, ...b.values].join('\t')).join('\n');
    const pages = [await openThreaded('wasm', servers.after.url, 1), await openThreaded('wasm', servers.after.url, cores)];
    const one = new Map<number, number[]>();
    const big = new Map<number, number[]>();
    for (const p of pages) await batchMsPerBeat(p.page, tsv, 256); // warm-up
    for (let r = 0; r < args['thread-rounds']; r++) {
      for (const p of pages) {
        one.set(p.threads, [...(one.get(p.threads) ?? []), ...(await batchOneMs(p.page))]);
        big.set(p.threads, [...(big.get(p.threads) ?? []), await batchMsPerBeat(p.page, tsv, 256)]);
      }
    }
    const base = median(big.get(pages[0]!.threads)!);
    console.log(`\nChromium WASM threads (cross-origin isolated page; ${args['thread-rounds']} interleaved rounds; ${cpus().length} cores)`);
    console.log(
      table(
        ['threads', 'batch 1 ms p50', 'batch 256 ms/beat p50', 'batch 256 speed vs 1 thread'],
        pages.map((p) => [String(p.threads), median(one.get(p.threads)!).toFixed(2), median(big.get(p.threads)!).toFixed(3), `${(base / median(big.get(p.threads)!)).toFixed(2)}x`]),
      ),
    );
    for (const p of pages) await p.close();
  }
  for (const x of [...Object.values(proxies), ...Object.values(servers)]) await x.close();
}
