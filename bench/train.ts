// Training throughput (samples/s, default model, batch 32, warm, best of several rounds) for each
// TF.js backend, each set of our WASM kernels (with TF.js's Adam), and the fused-Adam step alone and
// data parallel over 2..N worker threads, interleaved round by round so that machine drift hits every
// variant alike, next to the PyTorch peer (../shared/peers/torch_peer.py train) run in the same process
// tree; each variant gets as many timed windows of 10 steps as the peer (3 per round), after a warm-up.
// Usage: npm run bench:train [-- --rounds 5 --steps 10 --windows 3 --warmup 20 --max-workers 2 --profile]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { classInfos } from '../core/spec.js';
import { initBackend } from '../train/backend.js';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from '../train/kernels/index.js';
import { buildModel } from '../train/model.js';
import { localStepper, parallelStepper, type Stepper } from '../train/parallel/coordinator.js';
import { crossEntropy } from '../train/loss.js';
import type { StepTimes } from '../train/parallel/thread-step.js';
import { Replica } from '../train/replica.js';
import { availableParallelism } from 'node:os';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TORCH_PEER = join(REPO, '..', 'shared', 'peers', 'torch_peer.py');
const SPEC = { inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5']) };
const BATCH = 32;

const argv = yargs(hideBin(process.argv))
  .option('rounds', { type: 'number', default: 5, describe: 'interleaved rounds per variant (best is reported)' })
  .option('steps', { type: 'number', default: 10, describe: 'training steps of batch 32 per window' })
  .option('windows', { type: 'number', default: 3, describe: "timed windows per variant per round (the peer's run: best of 3 x 10 steps)" })
  .option('warmup', { type: 'number', default: 20, describe: 'untimed steps per variant before the first round (JIT, XNNPACK operators, heap growth)' })
  .option('cpu-steps', { type: 'number', default: 1, describe: 'steps on the pure-JS cpu backend (~30 s each here; 0 skips it)' })
  .option('profile', { type: 'boolean', default: false, describe: 'print per-kernel times of one wasm step' })
  .option('torch', { type: 'boolean', default: true, describe: 'run the PyTorch peer side by side' })
  .option('max-workers', { type: 'number', default: availableParallelism(), describe: 'data-parallel variants up to this many threads' })
  .option('kernel-variants', { type: 'boolean', default: true, describe: 'also time the package kernels and each of ours added in turn' })
  .strict()
  .parseSync();

interface Trainer {
  step(): void;
  dispose(): void;
  /** Milliseconds per phase, summed over steps. */
  time: StepTimes;
}

const noTimes = (): StepTimes => ({ gradient: 0, waitForGradients: 0, adam: 0, waitForAdam: 0, write: 0, steps: 0 });

/** The step train/fit.ts took before the fused Adam: tf.train.adam's gradient (computeGradients) then applyGradients. */
function makeTrainer(seed: number): Trainer {
  const model = buildModel(SPEC, { seed });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH, SPEC.inputLength, 1], 0, 1, 'float32', seed).dataSync() as Float32Array;
  const y = Int32Array.from({ length: BATCH }, (_, i) => i % 5);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const time = noTimes();
  return {
    time,
    step: () =>
      tf.tidy(() => {
        const t0 = performance.now();
        const xs = tf.tensor3d(x, [BATCH, SPEC.inputLength, 1]);
        const { value, grads } = optimizer.computeGradients(() => crossEntropy(model.apply(xs, { training: true }) as tf.Tensor, tf.oneHot(tf.tensor1d(y, 'int32'), 5)), variables);
        value.dataSync();
        const t1 = performance.now();
        optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        tf.dispose(grads);
        time.gradient += t1 - t0;
        time.adam += performance.now() - t1;
        time.steps++;
      }),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** The step the fit loop takes now: gradient + fused Adam, alone or data parallel. */
async function makeStepperTrainer(seed: number, workers: number): Promise<Trainer & { stepper: Stepper }> {
  const model = buildModel(SPEC, { seed });
  const replica = new Replica(model, 5, 1);
  const stepper = workers === 1 ? localStepper(replica, 1e-3) : await parallelStepper(replica, { workers, backend: 'wasm', maxBatch: BATCH, learningRate: 1e-3 });
  const x = tf.randomNormal([BATCH, SPEC.inputLength, 1], 0, 1, 'float32', seed).dataSync() as Float32Array;
  const y = Int32Array.from({ length: BATCH }, (_, i) => i % 5);
  const seeds = [seed, seed + 1];
  return {
    stepper,
    time: stepper.time,
    step: () => void stepper.step(x, y, BATCH, 1e-3, seeds),
    dispose: () => {
      void stepper.close().then(() => model.dispose());
    },
  };
}

interface Rate {
  /** Samples per wall-clock second. */
  wall: number;
  /** Samples per CPU second of this process: robust to other load for single-threaded backends. */
  cpu: number;
}

function measure(trainer: Trainer, steps: number): Rate {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) trainer.step();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (steps * BATCH) / ((performance.now() - started) / 1000), cpu: (steps * BATCH) / ((cpu.user + cpu.system) / 1e6) };
}

/** One run of the PyTorch peer (best of its 3 x 10 steps), or why it could not run. */
async function torchPeer(): Promise<{ rate?: number; note: string }> {
  if (!argv.torch) return { note: 'skipped (--no-torch)' };
  if (!existsSync(TORCH_PEER)) return { note: `peer not found at ${TORCH_PEER}` };
  const run = promisify(execFile);
  try {
    await run('/usr/bin/python3', ['-c', 'import torch']);
  } catch {
    return { note: '/usr/bin/python3 has no torch (apt install python3-torch)' };
  }
  const { stdout } = await run('/usr/bin/python3', [TORCH_PEER, 'train'], { timeout: 600_000 });
  const match = /train samples\/s ([\d.]+)/.exec(stdout);
  return match ? { rate: Number(match[1]), note: 'torch_peer.py train (2 threads, best of 3 x 10 steps each run)' } : { note: `unexpected peer output: ${stdout.trim()}` };
}

/** The WASM variants compared: the package's kernels (plus the filter gradient it lacks), then ours added one at a time. */
function wasmVariants(): Array<{ name: string; speedups: string[] }> {
  const speedups = [...WASM_TRAINING_KERNELS.keys()].filter((k) => k !== 'Conv2DBackpropFilter');
  const variants = [{ name: 'wasm, package kernels', speedups: [] as string[] }];
  speedups.forEach((_, i) => variants.push({ name: `wasm, + ${speedups[i]}`, speedups: speedups.slice(0, i + 1) }));
  return variants;
}

function profileStep(trainer: Trainer): ReturnType<typeof tf.profile> {
  return tf.profile(() => trainer.step());
}

function printProfile(info: Awaited<ReturnType<typeof tf.profile>>): void {
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls++;
    byKernel.set(key, entry);
  }
  console.log(`\nOne wasm step, all our kernels: ${info.kernels.length} kernel calls, ${total.toFixed(1)} ms in kernels. Top 20:`);
  for (const [key, v] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
    console.log(`${v.ms.toFixed(2).padStart(8)} ms ${String(v.calls).padStart(3)}x  ${key}`);
  }
}

/** Where a step's time went, per variant: this (the main) thread's phases, ms per step. */
function printPhases(rows: [string, StepTimes][]): void {
  console.log(`\nWhere a step goes (main thread, ms per step, all measured rounds):`);
  console.log(`${'variant'.padEnd(28)} ${'gradient'.padStart(9)} ${'wait'.padStart(6)} ${'adam'.padStart(6)} ${'wait'.padStart(6)} ${'params'.padStart(7)} ${'total'.padStart(7)}`);
  for (const [name, t] of rows) {
    const per = (v: number) => (v / Math.max(1, t.steps)).toFixed(2);
    const total = t.gradient + t.waitForGradients + t.adam + t.waitForAdam + t.write;
    console.log(`${name.padEnd(28)} ${per(t.gradient).padStart(9)} ${per(t.waitForGradients).padStart(6)} ${per(t.adam).padStart(6)} ${per(t.waitForAdam).padStart(6)} ${per(t.write).padStart(7)} ${per(total).padStart(7)}`);
  }
}

async function main(): Promise<void> {
  const rows: Array<{ name: string; rates: Rate[] }> = [];
  const best = (rates: Rate[], key: keyof Rate = 'wall') => Math.max(...rates.map((r) => r[key]));

  await initBackend('wasm');
  const all = [...WASM_TRAINING_KERNELS.keys()];
  const variants = [...(argv.kernelVariants ? wasmVariants() : []), { name: 'wasm, all kernels, TF.js Adam (before)', speedups: all }];
  const trainer = makeTrainer(1);
  registerWasmTrainingKernels();
  const threadCounts = Array.from({ length: Math.max(1, argv.maxWorkers) }, (_, i) => i + 1);
  const steppers = await Promise.all(threadCounts.map((w) => makeStepperTrainer(1, w)));
  for (let i = 0; i < argv.warmup; i++) [trainer, ...steppers].forEach((t) => t.step()); // the first steps run 2-7x slower
  const wasmRows = [
    ...variants.map((v) => ({ name: v.name, rates: [] as Rate[] })),
    ...threadCounts.map((w) => ({ name: `wasm, fused Adam, ${w} thread${w > 1 ? 's' : ''}`, rates: [] as Rate[] })),
  ];
  let torch: { rate?: number; note: string } = { note: 'not run' };
  const torchRates: number[] = [];
  for (let round = 0; round < argv.rounds; round++) {
    variants.forEach((v, i) => {
      registerWasmTrainingKernels(v.speedups);
      trainer.step(); // one unmeasured step after switching kernels
      for (let w = 0; w < argv.windows; w++) wasmRows[i]!.rates.push(measure(trainer, argv.steps));
    });
    registerWasmTrainingKernels();
    steppers.forEach((s, i) => {
      s.step();
      for (let w = 0; w < argv.windows; w++) wasmRows[variants.length + i]!.rates.push(measure(s, argv.steps));
    });
    // The peer runs every round, between ours, and its best run is the one compared: the same best-of
    // treatment as our variants, so drift cannot favour either side.
    if (torch.rate !== undefined || torchRates.length === 0) {
      const run = await torchPeer();
      if (run.rate !== undefined) torchRates.push(run.rate);
      torch = torchRates.length > 0 ? { rate: Math.max(...torchRates), note: `${run.note}, best of ${torchRates.length} runs (median ${[...torchRates].sort((a, b) => a - b)[Math.floor(torchRates.length / 2)]!.toFixed(1)})` } : run;
    }
    const roundBest = (r: { rates: Rate[] }) => Math.max(...r.rates.slice(-argv.windows).map((x) => x.wall)).toFixed(0);
    process.stderr.write(`round ${round + 1}/${argv.rounds}: ${wasmRows.map(roundBest).join(' ')}\n`);
  }
  registerWasmTrainingKernels();
  if (argv.profile) {
    printProfile(await profileStep(trainer));
    printPhases([['TF.js Adam (before)', trainer.time], ...steppers.map((s, i) => [`fused Adam, ${i + 1} thread${i ? 's' : ''}`, s.time] as [string, StepTimes])]);
  }
  trainer.dispose();
  await Promise.all(steppers.map((s) => s.stepper.close()));
  rows.push(...wasmRows);

  if (argv.cpuSteps > 0) {
    await initBackend('cpu');
    const cpu = makeTrainer(1); // no warm-up step: at ~30 s a step, warm-up effects are noise
    rows.push({ name: 'cpu (pure JS)', rates: [measure(cpu, argv.cpuSteps)] });
    cpu.dispose();
  }

  let nodeNote = 'not installed (optional dependency)';
  try {
    await initBackend('node');
    const node = makeTrainer(1);
    for (let i = 0; i < 3; i++) node.step();
    const rates = Array.from({ length: argv.rounds }, () => measure(node, argv.steps));
    rows.push({ name: 'node (tfjs-node)', rates });
    node.dispose();
    nodeNote = 'measured';
  } catch {
    // initBackend('node') throws when tfjs-node is absent; the note says so.
  }

  const baseline = best(wasmRows[0]!.rates);
  const [load1] = loadavg();
  console.log(`\nTraining throughput, default model (743,109 params), batch ${BATCH}: best and median of ${argv.rounds} rounds x ${argv.windows} windows of ${argv.steps} steps (after ${argv.warmup} warm-up steps); the peer: best of its ${argv.rounds} runs x 3 windows of 10 steps.`);
  console.log(`Load average ${load1!.toFixed(1)} on ${process.platform}, ${availableParallelism()} cores; 'per CPU-s' divides by this process's CPU time (all its threads), which other load does not inflate.`);
  console.log(`${'variant'.padEnd(30)} ${'samples/s'.padStart(10)} ${'median'.padStart(8)} ${'per CPU-s'.padStart(10)} ${'vs package'.padStart(11)} ${'vs torch'.padStart(9)}`);
  for (const r of rows) {
    const sorted = r.rates.map((x) => x.wall).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const b = best(r.rates);
    const vsTorch = torch.rate ? `${(b / torch.rate).toFixed(2)}x` : '-';
    console.log(
      `${r.name.padEnd(30)} ${b.toFixed(1).padStart(10)} ${median.toFixed(1).padStart(8)} ${best(r.rates, 'cpu').toFixed(1).padStart(10)} ${`${(b / baseline).toFixed(2)}x`.padStart(11)} ${vsTorch.padStart(9)}`,
    );
  }
  console.log(`${'pytorch 1.13 cpu (peer)'.padEnd(30)} ${(torch.rate?.toFixed(1) ?? '-').padStart(10)}   ${torch.note}`);
  console.log(`tfjs-node: ${nodeNote}`);
}

await main();
