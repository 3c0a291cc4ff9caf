// `ecg parity` end to end on the shared trained model: every runtime (onnxruntime-node CPU,
// onnxruntime-web WASM in Node, Chromium WASM and WebGPU) against TF.js on the same test beats;
// plus the table format and the errors that stop a run before any work.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, ModelFormatError } from '../../core/errors.js';
import { formatParityTable, runParity, type ParityReport } from '../../parity/index.js';
import { PARITY_RUNTIMES, parityRuntimes } from '../../parity/runtimes.js';
import { runEcg as ecg } from '../helpers/cli.js';
import { getExportedModel, type ExportedModel } from '../helpers/exported-model.js';
import { swiftShaderChildEnv } from '../helpers/swiftshader.js';
import { TOLERANCES } from '../helpers/tolerances.js';

const ROOT = resolve(import.meta.dirname, '../..');
const N = 40;

describe('ecg parity', () => {
  let model: ExportedModel;
  let report: ParityReport;
  let stdout: string;

  beforeAll(async () => {
    model = await getExportedModel();
    const out = join(await mkdtemp(join(tmpdir(), 'ecg-parity-')), 'report.json');
    // onnxruntime-node's WebGPU row on the SwiftShader Vulkan driver (set for the child only).
    const run = await ecg(['parity', '--model', model.modelDir, '--onnx', model.onnxPath, '--n', String(N), '--out', out], swiftShaderChildEnv());
    if (run.code !== 0) throw new Error(`ecg parity failed (exit ${run.code}):\n${run.stderr}`);
    stdout = run.stdout;
    report = JSON.parse(await readFile(out, 'utf8')) as ParityReport;
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
    expect(reference!.accuracy).toBeGreaterThan(0.6); // a trained model, not chance (majority class: 58%)
    for (const row of others) {
      const atol = row.provider === 'webgpu' ? TOLERANCES.webgpuAbs : TOLERANCES.onnxAbs;
      expect(row.maxAbsDiff, row.runtime).toBeLessThanOrEqual(atol);
      expect(row.argmaxAgree, row.runtime).toBe(N);
      expect(row.accuracy, row.runtime).toBe(reference!.accuracy);
      expect(row.timeMs, row.runtime).toBeGreaterThan(0);
    }
  });

  it('prints the table', () => {
    expect(stdout).toBe(`${formatParityTable(report)}\n`);
    for (const row of report.rows) expect(stdout).toContain(row.runtime);
    expect(stdout).toContain(`${N}/${N}`);
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
