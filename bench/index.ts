// `npm run bench`: every stage's benchmark in data-flow order (train -> export -> node -> web), one
// after another so they do not compete for the 2 cores; each prints its own table.
import { spawnSync } from 'node:child_process';

const BENCHES = [
  { name: 'train', script: 'bench/train.ts', what: 'training samples/s per WASM kernel set, PyTorch peer alongside' },
  { name: 'export', script: 'bench/export.ts', what: 'export time, size, onnxruntime-node throughput vs torch.onnx' },
  { name: 'corpus', script: 'bench/corpus.ts', what: 'exporter corpus (image, speech, text, seq2seq models): export time, size, onnxruntime-node vs TF.js wasm' },
  { name: 'node', script: 'bench/runtime-node.ts', what: 'classify latency/throughput, streamed predict, server under load' },
  { name: 'web', script: 'bench/web.ts', what: 'onnxruntime-web in Node and Chromium (WASM, WebGPU)' },
  { name: 'packages', script: 'bench/packages.ts', what: 'install size of each package alone, ecg --help compiled vs tsx' },
] as const;

const only = process.argv.slice(2);
let failed = 0;
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  process.stdout.write(`\n=== bench:${bench.name}: ${bench.what}\n`);
  const run = spawnSync(process.execPath, ['--conditions=ecg-source', '--import', 'tsx', bench.script], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench:${bench.name} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
