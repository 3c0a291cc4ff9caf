// One real trained model shared by every test that needs one (exporter, runtimes, parity): trained
// by the real `ecg train` CLI on the shipped ECG5000 split for a few epochs on wasm, once per code
// version. The cache key hashes the training code, the data and the recipe, so a changed trainer
// retrains; a lock directory lets test files in parallel workers wait for one trainer.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ECG_FROM_SOURCE } from './cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'test-artifacts', 'trained-model');
/**
 * A short run of a tuned-style recipe (all 500 TRAIN series, BN momentum 0.9, cosine decay) over 10
 * epochs with balanced class weights: 91.1% test accuracy, and it predicts every one of the five
 * classes (unweighted, even 16 epochs never answer "Unclassified", 22 of 4,500 beats), so the
 * runtimes' "identical argmax" checks see classes 3-5 too. ~30 s on 2 idle cores.
 */
export const TRAINED_MODEL_ARGS = Object.freeze(['--split', 'full', '--schedule', 'cosine', '--bn-momentum', '0.9', '--epochs', '10', '--class-weight', 'balanced', '--seed', '1', '--backend', 'wasm', '--workers', '2', '--data', 'data/ECG5000']);
const SOURCES = ['core', 'train', 'train/kernels', 'train/parallel', 'data/ECG5000', 'cli/commands/train.ts'];

export interface TrainedRun {
  /** --out DIR of the run: metrics.json, history.json, figures. */
  runDir: string;
  /** DIR/model: model.json + weights.bin. */
  modelDir: string;
}

async function cacheKey(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(TRAINED_MODEL_ARGS));
  for (const source of SOURCES) {
    const names = source.endsWith('.ts') ? [''] : (await readdir(join(ROOT, source))).filter((n) => /\.(ts|tsv|txt|gz)$/.test(n)).sort();
    for (const name of names) hash.update(`${source}/${name}\0`).update(await readFile(join(ROOT, source, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

const exists = (p: string) => stat(p).then(() => true, () => false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function train(runDir: string): Promise<void> {
  const log = join(`${runDir}.log`);
  const child = spawn(process.execPath, [...ECG_FROM_SOURCE, 'train', ...TRAINED_MODEL_ARGS, '--out', runDir], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d));
  child.stderr.on('data', (d: Buffer) => output.push(d));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  await writeFile(log, Buffer.concat(output));
  if (code !== 0) throw new Error(`training the shared test model failed (exit ${code}); see ${log}:\n${Buffer.concat(output).toString().slice(-2000)}`);
}

/** Models of older code versions pile up as the trainer changes; drop those not touched for an hour. */
async function pruneOldRuns(keep: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(CACHE)) {
    if (name.startsWith(keep) || name.endsWith('.lock')) continue;
    const path = join(CACHE, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < hourAgo) await rm(path, { recursive: true, force: true });
  }
}

let pending: Promise<TrainedRun> | undefined;

/** The shared trained run (trains it on first use in this code version; later calls are instant). */
export function getTrainedRun(): Promise<TrainedRun> {
  pending ??= (async () => {
    const key = await cacheKey();
    const runDir = join(CACHE, key);
    const done = join(runDir, '.complete');
    const lock = join(CACHE, `${key}.lock`);
    await mkdir(CACHE, { recursive: true });
    for (;;) {
      if (await exists(done)) return { runDir, modelDir: join(runDir, 'model') };
      try {
        await mkdir(lock); // atomic: exactly one process wins
      } catch {
        const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
        if (Number.isInteger(holder) && !pidAlive(holder)) await rm(lock, { recursive: true, force: true }); // a crashed trainer
        await sleep(1000);
        continue;
      }
      try {
        await writeFile(join(lock, 'pid'), String(process.pid));
        if (!(await exists(done))) {
          await rm(runDir, { recursive: true, force: true });
          await train(runDir);
          await writeFile(done, new Date().toISOString());
          await pruneOldRuns(key);
        }
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    }
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}

/** DIR/model of the shared trained model: load it with train/save.ts's loadTrainedModel (one call). */
export async function getTrainedModelDir(): Promise<string> {
  return (await getTrainedRun()).modelDir;
}
