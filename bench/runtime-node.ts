// Node runtime benchmark, printed as tables: classify latency (batch 1) and throughput (32, 1024) per
// device (cpu, webgpu: onnxruntime-node's bundled WebGPU provider, with its max |diff| vs CPU and where
// its nodes ran; without a Vulkan driver it takes Chromium's SwiftShader, a software GPU: correctness, not speed);
// `ecg predict` on generated 20k- and 200k-row files (time, peak RSS: flat memory while streaming);
// `ecg serve` under autocannon on 127.0.0.1 with dynamic batching on vs off, and /v1 vs the Open
// Inference Protocol /v2 (JSON and binary tensors), side by side in one run.
//   npm run bench:node                         # the trained test model's export, else an untrained Table 1 model
//   npx tsx bench/runtime-node.ts --model model.onnx --rows 200000 --duration 10 --connections 64
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { existsSync } from 'node:fs';
import { formatPlacement, inspectWebGpuEnvironment, load, profileNodePlacement, webGpuMissing, type Device } from '../runtime-node/index.js';
import { benchModelPath } from './runtime-node-model.js';
import { loadTest, singleBeatBody, singleBeatV2, type LoadResult } from './runtime-node-server.js';

const ROOT = resolve(import.meta.dirname, '..');
const TEST_TSV = join(ROOT, 'data', 'ECG5000', 'ECG5000_TEST.tsv');

const args = await yargs(hideBin(process.argv))
  .option('model', { type: 'string', describe: 'exported .onnx (default: see header)' })
  .option('rows', { type: 'number', default: 200_000, describe: 'rows of the big predict file (a tenth-size file runs too)' })
  .option('duration', { type: 'number', default: 10, describe: 'seconds per load test' })
  .option('connections', { type: 'number', default: 64, describe: 'autocannon connections' })
  .option('threads', { type: 'number', default: 0, describe: 'onnxruntime intra-op threads for the classify section' })
  .option('device', { type: 'array', default: ['cpu', 'webgpu'], choices: ['cpu', 'cuda', 'webgpu'], describe: 'devices for the classify section' })
  .option('sections', { type: 'array', default: ['classify', 'predict', 'serve'], choices: ['classify', 'predict', 'serve'], describe: 'which sections to run' })
  .strict()
  .parseAsync();

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (x: number, d = 1) => x.toFixed(d);
function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r, j) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + (j === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n');
}

const { path: model, origin } = await benchModelPath(args.model);
const testRows = (await readFile(TEST_TSV, 'utf8')).split('\n').filter((l) => l.trim() !== '');
const testBeats = testRows.map((l) => Float32Array.from(l.split('\t').slice(1), Number));
process.stdout.write(`model: ${model} (${origin}); ${new Date().toISOString()}\n\n`);

// 1. classify() in process, per device.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if ((args.device as string[]).includes('webgpu') && webGpuMissing(inspectWebGpuEnvironment()) && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD; // read by the Vulkan loader at the first WebGPU session
  process.env.XDG_RUNTIME_DIR ??= await mkdtemp(join(tmpdir(), 'ecg-xdg-'));
  process.stdout.write(`webgpu: no Vulkan driver configured, using Chromium's SwiftShader (${SWIFTSHADER_ICD}): a software GPU, correctness not speed\n\n`);
}

async function timeRuns(run: () => Promise<unknown>, seconds: number, minRuns: number): Promise<number[]> {
  const runs: number[] = [];
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || runs.length < minRuns) {
    const t = performance.now();
    await run();
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b);
}

async function classifySection(device: Device): Promise<string> {
  const clf = await load(model, { device, threads: args.threads, maxBatch: 1024 }).catch((e: Error) => e);
  if (clf instanceof Error) return `classify() on ${device}: skipped (${clf.message})`;
  const software = clf.providerNote?.startsWith('software') ?? false;
  const rows: (string | number)[][] = [];
  const one = [testBeats[0]!];
  for (let i = 0; i < (software ? 2 : 20); i++) await clf.classify(one);
  const times = await timeRuns(() => clf.classify(one), software ? 3 : 1, software ? 10 : 300);
  rows.push(['1', fmt(pct(times, 50), 2), fmt(pct(times, 99), 2), fmt(1000 / (times.reduce((a, b) => a + b, 0) / times.length), 0)]);
  for (const [n, seconds] of [[32, 4], [1024, 6]] as const) {
    const batch = testBeats.slice(0, n);
    await clf.classify(batch);
    const runs = await timeRuns(() => clf.classify(batch), seconds, software ? 1 : 3);
    const total = runs.reduce((a, b) => a + b, 0) / 1000;
    rows.push([String(n), fmt(pct(runs, 50), 2), fmt(pct(runs, 99), 2), fmt((n * runs.length) / total, 0)]);
  }
  let extra = '';
  if (clf.provider !== 'cpu') {
    const cpu = await load(model, { device: 'cpu' });
    const [a, b] = [await clf.classify(testBeats.slice(0, 1024)), await cpu.classify(testBeats.slice(0, 1024))];
    await cpu.dispose();
    let maxDiff = 0;
    a.forEach((p, i) => p.probabilities.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]!.probabilities[k]!)))));
    const agree = a.filter((p, i) => p.classIndex === b[i]!.classIndex).length;
    const placement = await profileNodePlacement(new Uint8Array(await readFile(model)), device);
    extra = `\nvs CPU on 1024 test beats: max |diff| ${maxDiff.toExponential(2)}, argmax agree ${agree}/1024\nnodes: ${formatPlacement(placement).join('; ')}`;
  }
  await clf.dispose();
  const note = clf.providerNote ? ` (${clf.providerNote})` : '';
  return `classify() on ${clf.provider}${note}, threads ${args.threads || 'default'}\n` + table(['batch', 'p50 ms/run', 'p99 ms/run', 'beats/s'], rows) + extra;
}

// 2. ecg predict (the real CLI process) on generated labelled TSV files.
async function writeRows(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) if (!out.write(testRows[i % testRows.length]! + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function predictSection(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-bench-predict-'));
  const rows: (string | number)[][] = [];
  try {
    for (const n of [Math.round(args.rows / 10), args.rows]) {
      const file = join(dir, `rows-${n}.tsv`);
      await writeRows(file, n);
      const rssFile = join(dir, `rss-${n}`);
      const started = performance.now();
      const child = spawn(process.execPath, ['--import', join(ROOT, 'bench', 'runtime-node-rss.mjs'), 'cli/bin/ecg.js', 'predict', '--model', model, '--input', file, '--format', 'tsv', '--device', 'cpu'], {
        cwd: ROOT,
        env: { ...process.env, ECG_BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`ecg predict failed (${code}):\n${stderr}`);
      const seconds = (performance.now() - started) / 1000;
      const rssMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
      const accuracy = /accuracy ([\d.]+%)/.exec(stderr)?.[1] ?? '-';
      rows.push([String(n), fmt((await stat(file)).size / 2 ** 20, 0), fmt(seconds, 1), fmt(n / seconds, 0), fmt(rssMiB, 0), accuracy]);
      await rm(file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return 'ecg predict --format tsv (whole CLI process, incl. startup)\n' + table(['rows', 'file MiB', 'seconds', 'rows/s', 'peak RSS MiB', 'accuracy'], rows);
}

// 3. ecg serve under load, batching on vs off; /v1 vs /v2 (the protocol's JSON parsing cost, and binary tensors).
async function serverSection(): Promise<string> {
  const classify = { path: '/v1/classify', body: singleBeatBody(TEST_TSV) };
  const batched = ['--max-batch', '64', '--batch-wait-ms', '2'];
  const results: LoadResult[] = [];
  results.push(await loadTest(model, '/v1 batching on (max 64, wait 2 ms)', batched, classify, args.connections, args.duration));
  results.push(await loadTest(model, '/v1 batching off', ['--no-batching'], classify, args.connections, args.duration));
  results.push(await loadTest(model, '/v2 JSON, batching on', batched, singleBeatV2(TEST_TSV, false), args.connections, args.duration));
  results.push(await loadTest(model, '/v2 binary tensors, batching on', batched, singleBeatV2(TEST_TSV, true), args.connections, args.duration));
  // What this machine's HTTP stack does with no inference at all: the ceiling for the rows above.
  results.push(await loadTest(model, 'GET /healthz (no inference)', [], { path: '/healthz' }, args.connections, args.duration));
  const rows = results.map((r) => [r.mode, fmt(r.requestsPerSec, 0), String(r.p50Ms), String(r.p99Ms), String(r.errors + r.non2xx), String(r.requests), fmt(r.meanBatch, 1)]);
  const ratio = (a: number, b: number) => fmt(results[a]!.requestsPerSec / results[b]!.requestsPerSec, 2);
  return (
    `ecg serve on 127.0.0.1, autocannon ${args.connections} connections x ${args.duration} s, one beat per request\n` +
    table(['mode', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'beats/run'], rows) +
    `\ndynamic batching speedup: ${ratio(0, 1)}x requests/s (on vs off, same run)` +
    `\n/v2 vs /v1 requests/s (batching on, same run): JSON ${ratio(2, 0)}x, binary tensors ${ratio(3, 0)}x`
  );
}

const sections = args.sections.map(String);
if (sections.includes('classify')) for (const device of args.device.map(String) as Device[]) process.stdout.write((await classifySection(device)) + '\n\n');
if (sections.includes('predict')) process.stdout.write((await predictSection()) + '\n\n');
if (sections.includes('serve')) process.stdout.write((await serverSection()) + '\n\n');
