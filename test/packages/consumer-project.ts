// A user's project, outside the repository: every workspace packed with `npm pack`, the tarballs installed
// there beside TF.js, Vite, TypeScript from the registry (the npm cache makes that fast), and the files a
// user would write: a Node script, a small Vite app, a type-check of every public entry point.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/imports.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output (never through a shell). */
export function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function mustRun(cmd: string, args: readonly string[], cwd: string): Promise<Run> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

const devVersion = async (name: string) => (JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export interface ConsumerProject {
  dir: string;
  tarballs: { name: string; file: string; size: number; unpackedSize: number }[];
}

/** Packs every workspace and installs the tarballs (and what a user adds) into a fresh folder. */
export async function createConsumerProject(): Promise<ConsumerProject> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-consumer-'));
  const packs = join(dir, 'tarballs');
  await mkdir(packs);
  const packed = await mustRun('npm', ['pack', '--workspaces', '--ignore-scripts', '--json', '--pack-destination', packs], ROOT);
  const tarballs = (JSON.parse(packed.stdout) as { name: string; filename: string; size: number; unpackedSize: number }[]).map((p) => ({
    name: p.name,
    file: join(packs, p.filename),
    size: p.size,
    unpackedSize: p.unpackedSize,
  }));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'ecg-consumer', private: true, type: 'module' }, null, 2));
  await writeFile(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  const extras = await Promise.all(['@tensorflow/tfjs', 'vite', 'typescript', '@types/node'].map(async (n) => `${n}@${await devVersion(n)}`));
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => t.file), ...extras], dir);
  return { dir, tarballs };
}

/** (a) in Node: build and fit a small model in memory, export it, run it with the runtime-node package. */
export const NODE_SCRIPT = `
import * as tf from '@tensorflow/tfjs';
import { exportModel } from '@ecg-onnx/tfjs-layers-to-onnx';
import { load } from '@ecg-onnx/runtime-node';
await tf.setBackend('cpu');
const T = 32, K = 3, N = 48;
const init = (seed) => tf.initializers.glorotUniform({ seed });
const model = tf.sequential({ layers: [
  tf.layers.conv1d({ inputShape: [T, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
  tf.layers.batchNormalization({}),
  tf.layers.maxPooling1d({ poolSize: 2 }),
  tf.layers.gru({ units: 8, kernelInitializer: init(2), recurrentInitializer: tf.initializers.orthogonal({ seed: 3 }) }),
  tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: init(4) }),
] });
model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
const data = Float32Array.from({ length: N * T }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
const x = tf.tensor3d(data, [N, T, 1]);
await model.fit(x, tf.tensor1d(Float32Array.from({ length: N }, (_, i) => i % K)), { epochs: 2, batchSize: 16, verbose: 0 });
const expected = model.predict(x).dataSync();
const { bytes, summary } = await exportModel(model, { classes: ['a', 'b', 'c'].map((label) => ({ label, name: label.toUpperCase() })) });
const clf = await load(bytes, { device: 'cpu' });
const preds = await clf.classify(Array.from({ length: N }, (_, i) => data.subarray(i * T, (i + 1) * T)));
let maxDiff = 0;
preds.forEach((p, i) => p.probabilities.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected[i * K + k])))));
await clf.dispose();
console.log(JSON.stringify({ maxDiff, n: preds.length, gru: summary.nodesByOp.GRU ?? 0, names: [...new Set(preds.map((p) => p.name))], provider: clf.provider }));
`;

/** (b) the same in a page: train in the page, export in the page, run with onnxruntime-web; and export a model.json URL. */
export const APP_MAIN = `
import * as tf from '@tensorflow/tfjs';
import { exportModel } from '@ecg-onnx/tfjs-layers-to-onnx';
import { load } from '@ecg-onnx/runtime-web';

async function run() {
  await tf.setBackend('cpu');
  const T = 24, K = 3, N = 32;
  const model = tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [T, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.globalAveragePooling1d({}),
    tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
  const data = Float32Array.from({ length: N * T }, (_, i) => Math.cos(i * 0.21) + ((i * 31) % 7) / 7);
  const x = tf.tensor3d(data, [N, T, 1]);
  await model.fit(x, tf.tensor1d(Float32Array.from({ length: N }, (_, i) => i % K)), { epochs: 3, batchSize: 8, verbose: 0 });
  const expected = model.predict(x).dataSync();
  const { bytes } = await exportModel(model);
  const clf = await load(bytes, { provider: 'wasm' });
  const preds = await clf.classify(Array.from({ length: N }, (_, i) => data.subarray(i * T, (i + 1) * T)));
  let maxDiff = 0;
  preds.forEach((p, i) => p.probabilities.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected[i * K + k])))));
  const fixed = await exportModel(new URL('./ecg/model.json', location.href).href, { exportedAt: '2026-01-01T00:00:00.000Z' });
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fixed.bytes));
  return { maxDiff, provider: clf.provider, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
}
run().then(
  (r) => (document.body.dataset.result = JSON.stringify(r)),
  (e) => (document.body.dataset.error = String((e && e.stack) || e)),
);
`;

export const APP_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>ecg-onnx packages in a Vite app</title></head>
<body><script type="module" src="./main.js"></script></body></html>
`;

/** The Vite app, with a saved TF.js model under public/ecg/ to export by URL. */
export async function writeApp(dir: string, modelDir: string): Promise<string> {
  const app = join(dir, 'app');
  await mkdir(join(app, 'public'), { recursive: true });
  await cp(modelDir, join(app, 'public', 'ecg'), { recursive: true });
  await writeFile(join(app, 'index.html'), APP_HTML);
  await writeFile(join(app, 'main.js'), APP_MAIN);
  return app;
}

/** Every public entry point by its exports map, and the ```ts examples of every package README and the root one. */
export async function writeTypeCheck(dir: string): Promise<string[]> {
  const check = join(dir, 'check');
  await mkdir(check, { recursive: true });
  const lines: string[] = [];
  const written: string[] = [];
  const pkgs = await readdir(join(dir, 'node_modules', '@ecg-onnx'));
  for (const [i, name] of pkgs.sort().entries()) {
    const root = join(dir, 'node_modules', '@ecg-onnx', name);
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    for (const [j, subpath] of Object.keys(manifest.exports ?? {}).filter((s) => !s.endsWith('.json')).entries()) {
      const spec = `@ecg-onnx/${name}${subpath === '.' ? '' : subpath.slice(1)}`;
      lines.push(`import * as m${i}_${j} from '${spec}';`, `console.log(Object.keys(m${i}_${j}).length);`);
    }
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    for (const [k, block] of [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].entries()) {
      const file = join(check, `readme-${name}-${k}.ts`);
      await writeFile(file, `${block[1]}\nexport {};\n`);
      written.push(file);
    }
  }
  const top = await readFile(join(ROOT, 'README.md'), 'utf8');
  for (const [k, block] of [...top.matchAll(/```ts\n([\s\S]*?)```/g)].entries()) {
    const file = join(check, `readme-root-${k}.ts`);
    await writeFile(file, `${block[1]}\nexport {};\n`);
    written.push(file);
  }
  await writeFile(join(check, 'entries.ts'), `${lines.join('\n')}\nexport {};\n`);
  written.push(join(check, 'entries.ts'));
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: ['node'] },
    include: ['check/*.ts'],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return written;
}
