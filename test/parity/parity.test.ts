// `ecg parity` end to end on the shared trained model: every runtime (onnxruntime-node CPU,
// onnxruntime-web WASM in Node, Chromium WASM and WebGPU) against TF.js on the same test beats;
// plus the table format and the errors that stop a run before any work. The run's numbers (max |diff|,
// argmax agreement, accuracy) are recomputed here from TF.js and onnxruntime-node outputs, on beats
// chosen so that the model predicts every one of the five classes on them.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUcrText } from '../../core/dataset.js';
import { InvalidInputError, ModelFormatError } from '../../core/errors.js';
import { argmax } from '../../core/metrics.js';
import { formatParityTable, runParity, type ParityReport } from '../../parity/index.js';
import { PARITY_RUNTIMES, parityRuntimes } from '../../parity/runtimes.js';
import { initBackend } from '../../train/backend.js';
import { loadTrainedModel } from '../../train/save.js';
import { ortPredict } from '../export/fixtures.js';
import { runEcg as ecg } from '../helpers/cli.js';
import { getExportedModel, type ExportedModel } from '../helpers/exported-model.js';
import { swiftShaderChildEnv } from '../helpers/swiftshader.js';
import { TOLERANCES } from '../helpers/tolerances.js';

const ROOT = resolve(import.meta.dirname, '../..');
const K = 5;
/** Beats per predicted class in the parity file (fewer where the model predicts a class less often). */
const PER_CLASS = 8;

/** TF.js probabilities [n, K] in batches of 500 (the same model and backend parity's reference uses). */
function tfjsPredict(model: tf.LayersModel, x: Float32Array, n: number, length: number): Float32Array {
  const out = new Float32Array(n * K);
  for (let i = 0; i < n; i += 500) {
    const m = Math.min(500, n - i);
    out.set(tf.tidy(() => (model.predict(tf.tensor3d(x.subarray(i * length, (i + m) * length), [m, length, 1])) as tf.Tensor).dataSync()), i * K);
  }
  return out;
}

const argmaxes = (p: Float32Array) => Array.from({ length: p.length / K }, (_, i) => argmax(p, i * K, K));

describe('ecg parity', () => {
  let model: ExportedModel;
  let report: ParityReport;
  let stdout: string;
  let N: number;
  /** Recomputed here: TF.js and onnxruntime-node CPU on the parity file's beats, their true classes. */
  let tfjs: Float32Array;
  let ortCpu: Float32Array;
  let truth: number[];
  let fullAccuracy: number;

  beforeAll(async () => {
    model = await getExportedModel();
    const dir = await mkdtemp(join(tmpdir(), 'ecg-parity-'));
    // PER_CLASS beats of the test set that TF.js assigns to each class (correct ones first), in test-set
    // order: the first 200 test beats are all Normal, so "the first N" would never exercise classes 2-5.
    await initBackend('wasm');
    const { model: tfModel } = await loadTrainedModel(model.modelDir);
    const test = parseUcrText(await readFile(join(ROOT, 'data/ECG5000/ECG5000_TEST.tsv'), 'utf8'), 'ECG5000_TEST.tsv');
    const length = test.length;
    const all = new Float32Array(test.series.length * length);
    test.series.forEach((s, i) => all.set(s, i * length));
    const predicted = argmaxes(tfjsPredict(tfModel, all, test.series.length, length));
    fullAccuracy = predicted.filter((k, i) => String(k + 1) === test.labels[i]).length / predicted.length;
    const right = (i: number) => String(predicted[i]! + 1) === test.labels[i];
    const chosen = Array.from({ length: K }, (_, k) => {
      const asK = predicted.flatMap((p, i) => (p === k ? [i] : []));
      return [...asK.filter(right), ...asK.filter((i) => !right(i))].slice(0, PER_CLASS); // right answers first: every true class too
    })
      .flat()
      .sort((a, b) => a - b);
    N = chosen.length;
    truth = chosen.map((i) => Number(test.labels[i]) - 1);
    const x = new Float32Array(N * length);
    chosen.forEach((i, j) => x.set(test.series[i]!, j * length));
    tfjs = tfjsPredict(tfModel, x, N, length);
    tfModel.dispose();
    ortCpu = await ortPredict(model.onnx, x, [N, length, 1]);
    const data = join(dir, 'beats.tsv');
    await writeFile(data, chosen.map((i) => [test.labels[i], ...test.series[i]!].join('\t')).join('\n') + '\n');
    const out = join(dir, 'report.json');
    // onnxruntime-node's WebGPU row on the SwiftShader Vulkan driver (set for the child only).
    const run = await ecg(['parity', '--model', model.modelDir, '--onnx', model.onnxPath, '--data', data, '--backend', 'wasm', '--out', out], swiftShaderChildEnv());
    if (run.code !== 0) throw new Error(`ecg parity failed (exit ${run.code}):\n${run.stderr}`);
    stdout = run.stdout;
    report = JSON.parse(await readFile(out, 'utf8')) as ParityReport;
  });

  it('the beats exercise every class: TF.js predicts each of the five on them', () => {
    // Shared test model: >= 90% on all 4,500 test beats, against 58.4% for always answering Normal
    // and ~92% for a trained model; a model below it is not worth comparing runtimes on.
    expect(fullAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(new Set(argmaxes(tfjs))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(new Set(truth)).toEqual(new Set([0, 1, 2, 3, 4]));
  });

  it("the report's numbers equal those recomputed from TF.js and onnxruntime-node outputs", () => {
    const accuracy = (p: Float32Array) => argmaxes(p).filter((k, i) => k === truth[i]).length / N;
    let maxDiff = 0;
    for (let j = 0; j < tfjs.length; j++) maxDiff = Math.max(maxDiff, Math.abs(ortCpu[j]! - tfjs[j]!));
    const agree = argmaxes(ortCpu).filter((k, i) => k === argmaxes(tfjs)[i]).length;
    const [reference, cpu] = report.rows;
    expect(report.n).toBe(N);
    expect(reference!.accuracy).toBe(accuracy(tfjs));
    expect(cpu!.runtime).toBe('onnxruntime-node CPU');
    expect(cpu!.maxAbsDiff).toBeCloseTo(maxDiff, 9);
    expect(cpu!.argmaxAgree).toBe(agree);
    expect(cpu!.accuracy).toBe(accuracy(ortCpu));
    expect(agree).toBe(N);
    expect(maxDiff).toBeGreaterThan(0); // two different engines: some rounding differs, so the diff was really measured
  });

  it('runs every runtime (Chromium included: install it with apt-get install chromium)', () => {
    expect(report.n).toBe(N);
    expect(report.rows.map((r) => r.runtime)).toEqual([expect.stringMatching(/^TF\.js/), ...PARITY_RUNTIMES.map((r) => r.name)]);
    for (const row of report.rows) expect(row.skipped, `${row.runtime} skipped`).toBeUndefined();
    expect(report.rows.map((r) => r.runtime).slice(1, 3)).toEqual(['onnxruntime-node CPU', 'onnxruntime-node WebGPU']);
    expect(report.rows.map((r) => r.provider).slice(1)).toEqual(['cpu', 'webgpu', 'wasm', 'wasm', 'webgpu']);
    expect(report.rows[2]!.note).toMatch(/software GPU/);
  });

  it('matches TF.js on every beat within the tolerances', () => {
    const [reference, ...others] = report.rows;
    for (const row of others) {
      const atol = row.provider === 'webgpu' ? TOLERANCES.webgpuAbs : TOLERANCES.onnxAbs;
      expect(row.maxAbsDiff, row.runtime).toBeLessThanOrEqual(atol);
      expect(row.argmaxAgree, row.runtime).toBe(N);
      expect(row.accuracy, row.runtime).toBe(reference!.accuracy);
      expect(row.timeMs, row.runtime).toBeGreaterThan(0);
    }
  });

  it('prints the table: a line per runtime with N/N agreement and the recomputed accuracy', () => {
    expect(stdout).toBe(`${formatParityTable(report)}\n`);
    const accuracy = argmaxes(tfjs).filter((k, i) => k === truth[i]).length / N;
    const lines = stdout.split('\n');
    for (const row of report.rows) {
      const line = lines.find((l) => l.startsWith(row.runtime));
      expect(line, row.runtime).toBeDefined();
      expect(line).toContain(`${N}/${N}`);
      expect(line).toContain(`${(100 * accuracy).toFixed(2)}%`);
    }
  });

  it('says when a runtime was skipped', () => {
    const table = formatParityTable({ ...report, rows: [...report.rows.slice(0, 1), { runtime: 'Chromium WASM', skipped: 'no Chromium at /usr/bin/chromium' }] });
    expect(table).toMatch(/Chromium WASM\s+-\s+skipped: no Chromium at \/usr\/bin\/chromium/);
  });

  it('--device picks the onnxruntime-node rows; a WebGPU row without a Vulkan driver is skipped with the reason', async () => {
    const cli = await ecg(['parity', '--model', model.modelDir, '--onnx', model.onnxPath, '--n', '2', '--device', 'webgpu', '--device', 'nope']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/Invalid values:[\s\S]*Given: "nope", Choices: "cpu", "cuda", "webgpu"/);
    const rows = parityRuntimes(['webgpu', 'cpu']).map((r) => r.name);
    expect(rows.slice(0, 2)).toEqual(['onnxruntime-node CPU', 'onnxruntime-node WebGPU']);
    expect(parityRuntimes(['cuda']).map((r) => r.name)[0]).toBe('onnxruntime-node CUDA');
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = join(ROOT, 'no-such-icd.json');
    try {
      expect(parityRuntimes(['webgpu'])[0]!.unavailable()).toMatch(/^no Vulkan driver \(no ICD manifest in .*no-such-icd\.json\); install the Vulkan loader/);
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });

  it('rejects a bad --n or a missing .onnx before running anything', async () => {
    const opts = { model: model.modelDir, onnx: model.onnxPath, runtimes: [] };
    await expect(runParity({ ...opts, n: 0 })).rejects.toThrow(InvalidInputError);
    await expect(runParity({ ...opts, n: 4501 })).rejects.toThrow(/--n must be an integer from 1 to 4500/);
    await expect(runParity({ ...opts, onnx: join(ROOT, 'no-such.onnx') })).rejects.toThrow(ModelFormatError);
    const cli = await ecg(['parity', '--model', model.modelDir, '--onnx', join(ROOT, 'no-such.onnx')]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/no-such\.onnx: cannot read the \.onnx file/);
  });
});
