// What bench/gpu.sh runs on a GPU machine (bundled with esbuild, so only node + onnxruntime-node travel):
// the Vulkan environment and what 'auto' picks, whether CUDA loads (and its message), WebGPU vs CPU
// parity on the labelled test beats, where the WebGPU provider ran each node, and throughput at several
// batch sizes for both providers, interleaved so machine drift hits both. Prints tables; --out writes JSON.
//   node gpu-bench.mjs --model model.onnx --data ECG5000_TEST.tsv [--batches 1,32,1024,8192] [--beats 4500] [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseUcrText, type Beat } from '../core/index.js';
import { describeProviderChoice, formatPlacement, hasHardwareAdapter, inspectWebGpuEnvironment, load, profileNodePlacement, type NodeClassifier } from '../runtime-node/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    batches: { type: 'string', default: '1,32,1024,8192' },
    beats: { type: 'string', default: '4500' },
    seconds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
if (!values.model || !values.data) throw new Error('usage: gpu-bench --model FILE.onnx --data LABELLED.tsv [--batches 1,32] [--beats N] [--seconds S] [--out DIR]');
const report: Record<string, unknown> = { date: new Date().toISOString() };
const say = (line = '') => process.stdout.write(`${line}\n`);
const bytes = new Uint8Array(readFileSync(values.model));
const dataset = parseUcrText(readFileSync(values.data, 'utf8'), values.data);
const beats = dataset.series.slice(0, Number(values.beats));

// 1. The machine.
const environment = inspectWebGpuEnvironment();
report.environment = { ...environment, hardwareAdapter: hasHardwareAdapter(environment) };
let gpus = '(nvidia-smi not found)';
try {
  gpus = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8' }).trim();
} catch {
  // no NVIDIA tools: not an NVIDIA machine, or a container without them
}
report.gpus = gpus;
say(`GPUs: ${gpus}`);
say(`Vulkan loader: ${environment.loader ?? 'none'}; drivers: ${environment.drivers.map((d) => `${d.manifest}${d.software ? ' (software)' : ''}`).join(', ') || 'none'}; GPU devices: ${environment.gpuDevices.join(', ') || 'none'}`);

// 2. What each device request gives.
const choice = async (device: 'auto' | 'cuda' | 'webgpu' | 'cpu'): Promise<NodeClassifier | string> => {
  const started = performance.now();
  try {
    const c = await load(bytes, { device, maxBatch: 8192 });
    say(`--device ${device}: ${describeProviderChoice({ provider: c.provider, failures: [...c.providerFailures], note: c.providerNote })} (${(performance.now() - started).toFixed(0)} ms to load)`);
    return c;
  } catch (e) {
    say(`--device ${device}: FAILED: ${(e as Error).message}`);
    return (e as Error).message;
  }
};
const auto = await choice('auto');
report.auto = typeof auto === 'string' ? { error: auto } : { provider: auto.provider, failures: auto.providerFailures };
if (typeof auto !== 'string') await auto.dispose();
const cuda = await choice('cuda');
report.cuda = typeof cuda === 'string' ? { error: cuda } : { provider: cuda.provider };
if (typeof cuda !== 'string') await cuda.dispose();
const cpu = await choice('cpu');
const gpu = await choice('webgpu');
if (typeof cpu === 'string' || typeof gpu === 'string') throw new Error('cpu and webgpu must both load for the rest of the benchmark');

// 3. Parity on the test beats.
const t0 = performance.now();
const onGpu = await gpu.classify(beats);
const gpuMs = performance.now() - t0;
const onCpu = await cpu.classify(beats);
let maxDiff = 0;
let agree = 0;
let correct = 0;
onGpu.forEach((p, i) => {
  p.probabilities.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - onCpu[i]!.probabilities[k]!))));
  if (p.classIndex === onCpu[i]!.classIndex) agree++;
  if (p.label === dataset.labels[i]) correct++;
});
report.parity = { beats: beats.length, maxAbsDiff: maxDiff, argmaxAgree: agree, accuracy: correct / beats.length, firstWebgpuPassMs: gpuMs };
say(`\nparity on ${beats.length} beats: WebGPU vs CPU max |diff| ${maxDiff.toExponential(2)}, argmax agree ${agree}/${beats.length}, WebGPU accuracy ${((100 * correct) / beats.length).toFixed(2)}% (first pass incl. shader compilation ${gpuMs.toFixed(0)} ms)`);

// 4. Where the nodes ran.
const placement = await profileNodePlacement(bytes, 'webgpu');
report.placement = placement.byProvider;
say(`nodes: ${formatPlacement(placement).join('; ')}`);

// 5. Throughput, interleaved per batch size.
const rows: string[][] = [];
const throughput: Record<string, Record<string, number>> = {};
for (const n of values.batches.split(',').map(Number)) {
  const batch: Beat[] = Array.from({ length: n }, (_, i) => beats[i % beats.length]!);
  const times: Record<string, number[]> = { cpu: [], webgpu: [] };
  for (const c of [cpu, gpu]) await c.classify(batch); // warm-up: shapes, shaders, buffers
  const end = performance.now() + Number(values.seconds) * 2000;
  while (performance.now() < end || times.cpu!.length < 3) {
    for (const c of [cpu, gpu]) {
      const t = performance.now();
      await c.classify(batch);
      times[c.provider]!.push(performance.now() - t);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [c, g] = [med(times.cpu!), med(times.webgpu!)];
  throughput[n] = { cpuMs: c, webgpuMs: g, cpuBeatsPerS: (1000 * n) / c, webgpuBeatsPerS: (1000 * n) / g };
  rows.push([String(n), c.toFixed(2), ((1000 * n) / c).toFixed(0), g.toFixed(2), ((1000 * n) / g).toFixed(0), `${(c / g).toFixed(2)}x`, String(times.cpu!.length)]);
}
report.throughput = throughput;
const header = ['batch', 'CPU ms/run', 'CPU beats/s', 'WebGPU ms/run', 'WebGPU beats/s', 'WebGPU vs CPU', 'runs each'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
say(`\nthroughput (median of interleaved runs; CPU: onnxruntime default threads)`);
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) say(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
await Promise.all([cpu.dispose(), gpu.dispose()]);

if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'gpu-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(`\nwrote ${join(values.out, 'gpu-bench.json')}`);
}
