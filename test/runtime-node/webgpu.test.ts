// onnxruntime-node's bundled WebGPU provider for real, on the SwiftShader Vulkan driver (the test sets
// VK_ICD_FILENAMES for itself): the tiny model against float64, the exported model against the CPU
// provider with every node (the GRU above all) on WebGPU, 'auto' refusing the software GPU, and the CLI.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUcrText } from '../../core/dataset.js';
import { ECG5000_TEST } from '../../data/index.js';
import { formatPlacement, load, profileNodePlacement } from '../../runtime-node/index.js';
import { runEcg, spawnEcg } from '../helpers/cli.js';
import { getExportedModel, type ExportedModel } from '../helpers/exported-model.js';
import { swiftShaderChildEnv, useSwiftShader } from '../helpers/swiftshader.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

useSwiftShader(); // before the first WebGPU session of this process: Dawn reads the driver list once
const tiny = tinyOnnxModel({ seed: 21 });
const test = parseUcrText(readFileSync(ECG5000_TEST, 'utf8'), ECG5000_TEST);
const BEATS = 48;

describe('WebGPU provider on SwiftShader', () => {
  let model: ExportedModel;
  beforeAll(async () => {
    model = await getExportedModel();
  });

  it("'webgpu' runs the tiny model like float64 and says it is a software driver", async () => {
    const clf = await load(tiny.bytes, { device: 'webgpu' });
    try {
      expect(clf.provider).toBe('webgpu');
      expect(clf.providerFailures).toEqual([]);
      expect(clf.providerNote).toMatch(/^software Vulkan driver .*libvk_swiftshader\.so: correct, but slower than the CPU provider$/);
      const beats = randomBeats(5, 140, 3);
      (await clf.classify(beats)).forEach((p, i) => assertClose(p.probabilities, tiny.expected(beats[i]!), TOLERANCES.webgpuAbs, `beat ${i}`));
    } finally {
      await clf.dispose();
    }
  });

  it("'auto' does not take the software GPU: CPU, with the reason recorded", async () => {
    const clf = await load(tiny.bytes, { device: 'auto' });
    try {
      expect(clf.provider).toBe('cpu');
      const webgpu = clf.providerFailures.find((f) => f.provider === 'webgpu');
      expect(webgpu).toEqual({ provider: 'webgpu', skipped: true, message: 'only a software Vulkan driver (libvk_swiftshader.so), slower than the CPU provider; --device webgpu runs on it anyway' });
    } finally {
      await clf.dispose();
    }
  });

  it('the exported model on WebGPU matches the CPU provider beat for beat', async () => {
    const beats = test.series.slice(0, BEATS);
    const [gpu, cpu] = [await load(model.onnx, { device: 'webgpu' }), await load(model.onnx, { device: 'cpu' })];
    try {
      const [a, b] = [await gpu.classify(beats), await cpu.classify(beats)];
      a.forEach((p, i) => {
        assertClose(p.probabilities, b[i]!.probabilities, TOLERANCES.webgpuAbs, `beat ${i}`);
        expect(p.classIndex, `argmax of beat ${i}`).toBe(b[i]!.classIndex);
      });
    } finally {
      await Promise.all([gpu.dispose(), cpu.dispose()]);
    }
  });

  it('keeps every node of the exported model on the WebGPU provider, the GRU included', async () => {
    const report = await profileNodePlacement(model.onnx, 'webgpu');
    expect(report.sessionProvider).toBe('webgpu');
    const fallback = report.nodes.filter((n) => n.provider !== 'WebGpuExecutionProvider');
    expect(fallback, `nodes off the GPU: ${formatPlacement(report).join('; ')}`).toEqual([]);
    expect(report.nodes.filter((n) => n.op === 'GRU').map((n) => n.provider)).toEqual(['WebGpuExecutionProvider']);
    expect(report.nodes.length).toBeGreaterThan(10);
    // The CPU provider's profile names its own provider: the report reads the profile, not a constant.
    const cpu = await profileNodePlacement(model.onnx, 'cpu');
    expect(Object.keys(cpu.byProvider)).toEqual(['CPUExecutionProvider']);
  });
});

describe('ecg predict --device webgpu', () => {
  let input: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-webgpu-'));
    input = join(dir, 'beats.tsv');
    await writeFile(input, test.series.slice(0, 6).map((b, i) => [test.labels[i], ...Array.from(b)].join('\t')).join('\n') + '\n');
  });

  it('runs on SwiftShader and says which device it used', async () => {
    const { onnxPath } = await getExportedModel();
    const run = await runEcg(['predict', '--model', onnxPath, '--input', input, '--device', 'webgpu', '--format', 'tsv'], swiftShaderChildEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/on webgpu \(software Vulkan driver .*libvk_swiftshader\.so/);
    expect(run.stdout.trim().split('\n')).toHaveLength(7); // header + 6 beats
  });

  it('without a Vulkan driver: exit 1, the missing piece and the install command', async () => {
    const { onnxPath } = await getExportedModel();
    const run = await runEcg(['predict', '--model', onnxPath, '--input', input, '--device', 'webgpu'], { ...swiftShaderChildEnv(), VK_ICD_FILENAMES: join(tmpdir(), 'no-such-icd.json') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/device "webgpu" is not available: tried webgpu \(Failed to get a WebGPU adapter: No supported adapters\)\. No Vulkan driver \(no ICD manifest in .*no-such-icd\.json\)\. To use WebGPU, install the Vulkan loader \(Debian\/Ubuntu: `sudo apt-get install libvulkan1`\)/);
  });
});

describe('ecg serve --device webgpu', () => {
  it('serves from the WebGPU session with GPU-sized batches (1024 beats) unless --max-batch says otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-webgpu-serve-'));
    const path = join(dir, 'tiny.onnx');
    await writeFile(path, tiny.bytes);
    for (const [extra, maxBatch] of [[[], 1024], [['--max-batch', '8'], 8]] as const) {
      const child = spawnEcg(['serve', '--model', path, '--port', '0', '--device', 'webgpu', ...extra], swiftShaderChildEnv());
      let stderr = '';
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+) on webgpu \(software Vulkan driver/.exec(stderr);
            if (m) resolve(m[1]!);
          });
          child.on('exit', (code) => reject(new Error(`ecg serve exited with ${code} before listening: ${stderr}`)));
        });
        expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', provider: 'webgpu' });
        const meta = (await (await fetch(`${url}/v1/metadata`)).json()) as { batching: { maxBatch: number } };
        expect(meta.batching.maxBatch).toBe(maxBatch);
        const beat = randomBeats(1, 140, 2)[0]!;
        const res = await fetch(`${url}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ beats: [Array.from(beat)] }) });
        const json = (await res.json()) as { predictions: { probabilities: number[] }[] };
        assertClose(json.predictions[0]!.probabilities, tiny.expected(beat), TOLERANCES.webgpuAbs, 'served beat');
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(undefined)));
      }
    }
  });
});
