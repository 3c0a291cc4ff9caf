// `ecg pipeline` (the README's headline command) end to end, kept small: one epoch and parity on the
// first 16 test beats. Every step leaves its output, the .onnx loads and classifies, and the parity
// table lists every runtime with its accuracy; a bad --parity-n stops it before training.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUcrText } from '../../core/dataset.js';
import { decodeMetadata, readOnnxMetadataProps } from '../../core/metadata.js';
import type { ParityReport } from '../../parity/index.js';
import { PARITY_RUNTIMES } from '../../parity/runtimes.js';
import { load } from '../../runtime-node/index.js';
import { REPO_ROOT, runEcg, type CliResult } from '../helpers/cli.js';
import { swiftShaderChildEnv } from '../helpers/swiftshader.js';

const PARITY_N = 16;
let dir: string;
let out: string;
let run: CliResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-pipeline-'));
  out = join(dir, 'run');
  // SwiftShader for the onnxruntime-node WebGPU row, so that no row is skipped.
  run = await runEcg(['pipeline', '--epochs', '1', '--seed', '3', '--backend', 'wasm', '--workers', '2', '--parity-n', String(PARITY_N), '--out', out], { ...swiftShaderChildEnv(), CI: 'true' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ecg pipeline', () => {
  it('runs its five steps in order and leaves every output', () => {
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const steps = [...run.stdout.matchAll(/^== step (\d)\/5: (\w+):/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual(['1 train', '2 evaluate', '3 export', '4 predict', '5 parity']);
    for (const name of ['train', 'evaluate', 'export', 'predict', 'parity']) expect(run.stdout).toMatch(new RegExp(`^== ${name} done in \\d+\\.\\ds$`, 'm'));
    for (const file of ['model/model.json', 'model/weights.bin', 'history.json', 'metrics.json', 'eval.json', 'model.onnx', 'predictions.tsv', 'parity.json']) expect(existsSync(join(out, file)), file).toBe(true);
  });

  it('eval.json scores the reloaded model as training did, and predictions.tsv has one row per test beat', async () => {
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    const evaluation = JSON.parse(await readFile(join(out, 'eval.json'), 'utf8'));
    expect(metrics.epochs).toBe(1);
    expect(evaluation.accuracy).toBe(metrics.test.accuracy);
    expect(evaluation.confusionMatrix).toEqual(metrics.test.confusionMatrix);
    const rows = (await readFile(join(out, 'predictions.tsv'), 'utf8')).trim().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(4500);
    expect(rows.length).toBeLessThanOrEqual(4501); // a header line at most
    expect(run.stdout).toContain(`accuracy ${(100 * metrics.test.accuracy).toFixed(2)}% (TF.js: ${(100 * metrics.test.accuracy).toFixed(2)}%)`);
  });

  it('the .onnx loads in onnxruntime-node, carries the run metadata and classifies test beats', async () => {
    const bytes = new Uint8Array(await readFile(join(out, 'model.onnx')));
    const meta = decodeMetadata(readOnnxMetadataProps(bytes));
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(meta.testAccuracy).toBe(metrics.test.accuracy);
    expect(meta.classes.map((c) => c.label)).toEqual(['1', '2', '3', '4', '5']);
    const test = parseUcrText(await readFile(join(REPO_ROOT, 'data/ECG5000/ECG5000_TEST.tsv'), 'utf8'), 'ECG5000_TEST.tsv');
    const classifier = await load(bytes, { device: 'cpu' });
    try {
      const predictions = await classifier.classify(test.series.slice(0, 8));
      expect(predictions).toHaveLength(8);
      for (const p of predictions) expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      await classifier.dispose();
    }
  });

  it('the parity table lists every runtime, none skipped, each with its accuracy and full argmax agreement', async () => {
    const report = JSON.parse(await readFile(join(out, 'parity.json'), 'utf8')) as ParityReport;
    expect(report.n).toBe(PARITY_N);
    const names = [report.rows[0]!.runtime, ...PARITY_RUNTIMES.map((r) => r.name)];
    expect(report.rows.map((r) => r.runtime)).toEqual(names);
    const lines = run.stdout.split('\n');
    for (const row of report.rows) {
      expect(row.skipped, row.runtime).toBeUndefined();
      expect(row.accuracy, row.runtime).toBe(report.rows[0]!.accuracy);
      const line = lines.find((l) => l.startsWith(row.runtime));
      expect(line, row.runtime).toBeDefined();
      expect(line).toContain(`${PARITY_N}/${PARITY_N}`);
      expect(line).toContain(`${(100 * row.accuracy!).toFixed(2)}%`);
    }
    expect(run.stdout).toMatch(/accuracy of this run \(the paper's recipe, seed 3\): \d+\.\d\d% on the test set/);
  });

  it('a bad --parity-n is refused before the first step, writing nothing', async () => {
    const bad = join(dir, 'bad');
    const r = await runEcg(['pipeline', '--epochs', '1', '--parity-n', '0', '--out', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--parity-n must be a positive integer, got 0');
    expect(r.stdout).not.toContain('== step 1');
    expect(existsSync(bad)).toBe(false);
  });
});
