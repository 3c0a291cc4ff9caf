// The real thing: the shared trained ECG model (test/helpers/trained-model.ts) exported with and
// without the passes; onnxruntime-node vs TF.js on all 4,500 test series (max abs diff <= 1e-5,
// identical argmax, identical accuracy), plus the structure and metadata the runtimes rely on.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUcrText } from '../../core/dataset.js';
import { decodeMetadata, INPUT_NAME, OUTPUT_NAME, readOnnxMetadataProps } from '../../core/metadata.js';
import { argmax } from '../../core/metrics.js';
import { decodeModel, exportModel, IR_VERSION, OPSET } from '../../export/node.js';
import { initBackend } from '../../train/backend.js';
import { loadTrainedModel } from '../../train/save.js';
import { getTrainedRun } from '../helpers/trained-model.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { onnxCheck, ortPredict, tempDir } from './fixtures.js';

let modelDir: string;
let runDir: string;
let x: Float32Array;
let truth: string[];
let expected: Float32Array;
let length: number;
let labels: string[];

beforeAll(async () => {
  ({ modelDir, runDir } = await getTrainedRun());
  await initBackend('wasm');
  const { model, spec } = await loadTrainedModel(modelDir);
  const test = parseUcrText(await readFile('data/ECG5000/ECG5000_TEST.tsv', 'utf8'), 'ECG5000_TEST.tsv');
  length = test.length;
  labels = spec!.classes.map((c) => c.label);
  truth = test.labels;
  x = new Float32Array(test.series.length * length);
  test.series.forEach((s, i) => x.set(s, i * length));
  const n = test.series.length;
  expected = new Float32Array(n * labels.length);
  for (let i = 0; i < n; i += 500) {
    const m = Math.min(500, n - i);
    const p = tf.tidy(() => (model.predict(tf.tensor(x.subarray(i * length, (i + m) * length), [m, length, 1])) as tf.Tensor).dataSync());
    expected.set(p, i * labels.length);
  }
});

const accuracy = (probs: Float32Array) => {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (labels[argmax(probs, i * labels.length, labels.length)] === truth[i]) correct++;
  return correct / truth.length;
};

/** Keys sorted at every level, undefined dropped: written here from the exporter's doc, not imported. */
const sortedJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(sortedJson).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/**
 * The source hash as export/layers-model.ts documents it, from the files with node:crypto: SHA-256 of
 * the sorted-key JSON of {modelTopology, weightSpecs}, a newline, then the weight files' bytes in
 * manifest order. `flipByte` XORs that byte of the weights (to show the hash covers them).
 */
async function sha256OfModelFiles(dir: string, flipByte?: number): Promise<string> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: { paths: string[]; weights: unknown[] }[] };
  const hash = createHash('sha256').update(`${sortedJson({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) })}\n`);
  const weights = Buffer.concat(await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p)))));
  if (flipByte !== undefined) weights[flipByte] = weights[flipByte]! ^ 0xff;
  return hash.update(weights).digest('hex');
}

describe('trained ECG model: onnxruntime-node vs TF.js on all 4,500 test series', () => {
  for (const [label, options] of [
    ['optimized', {}],
    ['every conv lowered', { maxLoweredConvLength: 64 }],
    ['without passes', { optimize: false }],
  ] as const) {
    it(`${label}: probabilities, argmax and accuracy agree`, async () => {
      const { bytes } = await exportModel(modelDir, options);
      const actual = await ortPredict(bytes, x, [truth.length, length, 1]);
      assertClose(actual, expected, TOLERANCES.onnxAbs, 'probabilities');
      for (let i = 0; i < truth.length; i++) {
        expect(argmax(actual, i * labels.length, labels.length), `argmax of series ${i}`).toBe(argmax(expected, i * labels.length, labels.length));
      }
      expect(accuracy(actual)).toBe(accuracy(expected));
      const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as { test: { accuracy: number } };
      expect(accuracy(actual)).toBeCloseTo(metrics.test.accuracy, 12);
    });
  }

  it('structure: one GRU (linear_before_reset=1), no Loop/Scan, contract names, opset, metadata; passes onnx.checker', async () => {
    const { bytes, summary } = await exportModel(modelDir, { exportedAt: '2026-01-01T00:00:00.000Z' });
    const plain = await exportModel(modelDir, { optimize: false });
    const m = decodeModel(bytes);
    expect(m.irVersion).toBe(IR_VERSION);
    expect(m.opset).toBe(OPSET);
    expect(m.producer).toMatch(/^ecg-onnx /);
    expect(m.inputs).toEqual([{ name: INPUT_NAME, shape: ['N', 140, 1], dtype: 'float32' }]);
    expect(m.outputs).toEqual([{ name: OUTPUT_NAME, shape: ['N', 5], dtype: 'float32' }]);
    const gru = m.nodes.filter((n) => n.opType === 'GRU');
    expect(gru).toHaveLength(1);
    expect(gru[0]!.attributes).toMatchObject({ hidden_size: 128, linear_before_reset: 1, activations: ['Sigmoid', 'Tanh'] });
    expect(m.nodesByOp.Loop ?? 0).toBe(0);
    expect(m.nodesByOp.Scan ?? 0).toBe(0);
    expect(m.parameters).toBeGreaterThan(743_109 - 320); // BN statistics fold away; im2col index tables add a little
    // Convs with output length <= 8 (layers 11, 12, 14) become batch-wide Gemms, layers 1 and 4
    // (lengths 47 and 16) stay Conv, and the BatchNormalizations behind Conv -> ReLU fold away (scale
    // into the conv, shift past the pool); lowering every conv leaves a single transpose (into the
    // GRU): the rest were sunk and cancelled.
    expect(decodeModel(plain.bytes).nodesByOp.Conv).toBe(5);
    const oneD = decodeModel((await exportModel(modelDir, { liftConvs: false })).bytes);
    expect(oneD.nodesByOp.Conv).toBe(2);
    expect(oneD.nodesByOp.BatchNormalization ?? 0).toBe(0);
    // The two kept convs and their pools run as 2-D ops over (N, C, 1, T), the deferred BN shifts as
    // identity-scale BatchNormalizations (epsilon 0) so the chain stays 4-D: 1 Unsqueeze in, 1 Squeeze out.
    expect(m.nodesByOp.Conv).toBe(2);
    for (const conv of m.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'MaxPool')) expect((conv.attributes.kernel_shape as number[])[0]).toBe(1);
    const shifts = m.nodes.filter((n) => n.opType === 'BatchNormalization');
    expect(shifts).toHaveLength(2);
    for (const bn of shifts) expect(bn.attributes.epsilon).toBe(0);
    expect(m.nodesByOp.Squeeze! - oneD.nodesByOp.Squeeze!).toBe(1);
    const allLowered = decodeModel((await exportModel(modelDir, { maxLoweredConvLength: 64 })).bytes);
    expect(allLowered.nodesByOp.Conv ?? 0).toBe(0);
    expect(allLowered.nodesByOp.Transpose).toBe(1);
    expect(allLowered.nodesByOp.BatchNormalization ?? 0).toBe(0);
    const meta = decodeMetadata(readOnnxMetadataProps(bytes));
    expect(meta.inputLength).toBe(140);
    expect(meta.channels).toBe(1);
    expect(meta.classes.map((c) => c.name)).toEqual(['Normal', 'R-on-T PVC', 'PVC', 'Supraventricular premature beat', 'Unclassified']);
    expect(meta.exportedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(meta.sourceSha256).toBe(summary.sourceSha256);
    expect(meta.sourceSha256).toBe(await sha256OfModelFiles(modelDir));
    const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as { test: { accuracy: number } };
    expect(meta.testAccuracy).toBe(metrics.test.accuracy); // the run's own number, not a re-measurement
    expect(summary.sourceSha256).not.toBe(await sha256OfModelFiles(modelDir, 1)); // one weight byte changed: another hash
    expect(meta.output).toMatch(/probabilities \(softmax\)/);
    const dir = await tempDir();
    await writeFile(join(dir, 'opt.onnx'), bytes);
    await writeFile(join(dir, 'plain.onnx'), plain.bytes);
    onnxCheck(join(dir, 'opt.onnx'), join(dir, 'plain.onnx'));
  });
});
