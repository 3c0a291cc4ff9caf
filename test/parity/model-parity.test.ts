// `ecg parity` for a model of any signature: random inputs of its signature (int32 ids and float
// images, two outputs) through TF.js, onnxruntime-node, onnxruntime-web in Node and the Chromium
// harness page (WASM, WebGPU); inputs from .npy and .json files; the errors that name the file.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { exportModel } from '../../export/node.js';
import { formatParityTable, MODEL_RUNTIMES, parseNpy, runParity, type ParityReport } from '../../parity/index.js';
import { saveLayersModel } from '../export/fixtures.js';
import { apply, randomizeWeights } from '../export/models.js';
import { runEcg as ecg } from '../helpers/cli.js';
import { TOLERANCES } from '../helpers/tolerances.js';

/** A .npy file (format 1.0, little-endian, C order) holding `data` of `shape`. */
function npy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Int32Array ? '<i4' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

describe('ecg parity for a model of any signature', () => {
  let dir: string;
  let modelDir: string;
  let onnx: string;
  let report: ParityReport;
  let stdout: string;

  beforeAll(async () => {
    const tokens = tf.input({ shape: [9], dtype: 'int32', name: 'tokens' });
    const image = tf.input({ shape: [8, 8, 2], name: 'image' });
    const text = apply(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }) as tf.RNN }), apply(tf.layers.embedding({ inputDim: 30, outputDim: 4 }), tokens));
    const pixels = apply(tf.layers.globalMaxPooling2d({}), apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu' }), image));
    const joint = apply(tf.layers.concatenate(), [text, pixels]);
    const model = tf.model({ inputs: [tokens, image], outputs: [apply(tf.layers.dense({ units: 5, activation: 'softmax' }), joint), apply(tf.layers.dense({ units: 1 }), joint)] });
    randomizeWeights(model, 12);
    dir = await mkdtemp(join(tmpdir(), 'ecg-model-parity-'));
    modelDir = await saveLayersModel(model, dir);
    onnx = join(dir, 'model.onnx');
    await writeFile(onnx, (await exportModel(modelDir)).bytes);
    const out = join(dir, 'report.json');
    const run = await ecg(['parity', '--model', modelDir, '--onnx', onnx, '--n', '6', '--out', out]);
    if (run.code !== 0) throw new Error(`ecg parity failed (exit ${run.code}):\n${run.stderr}`);
    stdout = run.stdout;
    report = JSON.parse(await readFile(out, 'utf8')) as ParityReport;
  });

  it('runs every runtime (Chromium on the harness page) and matches TF.js on every output', () => {
    expect(report.rows.map((r) => r.runtime)).toEqual([expect.stringMatching(/^TF\.js/), ...MODEL_RUNTIMES.map((r) => r.name)]);
    expect(report.rows.slice(1).map((r) => r.provider)).toEqual(['cpu', 'wasm', 'wasm', 'webgpu']);
    expect(report.n).toBe(6);
    expect(report.data).toBe('random inputs (seed 1): tokens int32 [6, 9], image float32 [6, 8, 8, 2]');
    expect(report.argmaxRows).toBe(6); // the [N, 5] output; the [N, 1] one has no argmax
    for (const row of report.rows.slice(1)) {
      expect(row.skipped, row.runtime).toBeUndefined();
      expect(row.maxAbsDiff, row.runtime).toBeLessThanOrEqual(row.provider === 'webgpu' ? TOLERANCES.webgpuAbs : TOLERANCES.onnxAbs);
      expect(row.argmaxAgree, row.runtime).toBe(6);
      expect(row.accuracy).toBeUndefined();
    }
    expect(stdout).toBe(`${formatParityTable(report)}\n`);
    expect(stdout).toMatch(/^parity on 6 samples: random inputs/);
    expect(stdout).toMatch(/onnxruntime-node CPU\s+cpu\s+\S+\s+6\/6\s+-\s/);
  });

  it('a runtime that cannot run the graph gets a row saying how it failed', async () => {
    const broken = { name: 'broken runtime', unavailable: () => undefined, run: () => Promise.reject(new Error('Unsupported LSTM activation for WebGPU: HardSigmoid\n at ...')) };
    // A runtime whose answers are off: the comparison has to see it (0.25 on every value; the
    // class output rotated by one class, so no argmax agrees).
    const node = MODEL_RUNTIMES[0]!;
    const off = { name: 'off runtime', unavailable: () => undefined, run: async (bytes: Uint8Array, feeds: Parameters<typeof node.run>[1]) => {
      const out = await node.run(bytes, feeds);
      return { ...out, outputs: out.outputs.map((o, i) => (i === 0 ? Float32Array.from(o, (_, j) => o[Math.floor(j / 5) * 5 + ((j % 5) + 1) % 5]!) : Float32Array.from(o, (v) => v + 0.25))) };
    } };
    const r = await runParity({ model: modelDir, onnx, n: 2, modelRuntimes: [node, broken, off] });
    expect(r.rows[2]).toEqual({ runtime: 'broken runtime', skipped: 'failed: Unsupported LSTM activation for WebGPU: HardSigmoid' });
    expect(r.rows[3]!.maxAbsDiff).toBeGreaterThanOrEqual(0.25 - 1e-6);
    expect(r.rows[3]!.argmaxAgree).toBe(0);
    expect(r.rows[1]!.argmaxAgree).toBe(2);
    expect(formatParityTable(r)).toMatch(/broken runtime\s+-\s+skipped: failed: Unsupported LSTM activation/);
  });

  it('takes the inputs from .npy files (one per input) or one .json, and names a file that does not fit', async () => {
    const tokens = Int32Array.from({ length: 3 * 9 }, (_, i) => (i * 7) % 30);
    const image = Float32Array.from({ length: 3 * 128 }, (_, i) => Math.sin(i));
    await writeFile(join(dir, 'tokens.npy'), npy(tokens, [3, 9]));
    await writeFile(join(dir, 'image.npy'), npy(image, [3, 8, 8, 2]));
    expect(parseNpy(npy(tokens, [3, 9]), 't.npy').shape).toEqual([3, 9]);
    const local = { model: modelDir, onnx, modelRuntimes: MODEL_RUNTIMES.slice(0, 2) };
    const fromNpy = await runParity({ ...local, inputs: [join(dir, 'tokens.npy'), join(dir, 'image.npy')] });
    expect(fromNpy.n).toBe(3);
    for (const row of fromNpy.rows.slice(1)) expect(row.maxAbsDiff).toBeLessThanOrEqual(TOLERANCES.onnxAbs);
    const nested = (data: ArrayLike<number>, shape: number[]): unknown => (shape.length === 1 ? Array.from(data) : Array.from({ length: shape[0]! }, (_, i) => nested(Array.from(data).slice((i * data.length) / shape[0]!, ((i + 1) * data.length) / shape[0]!), shape.slice(1))));
    await writeFile(join(dir, 'inputs.json'), JSON.stringify({ tokens: nested(tokens, [3, 9]), image: nested(image, [3, 8, 8, 2]) }));
    const fromJson = await runParity({ ...local, inputs: [join(dir, 'inputs.json')] });
    expect(fromJson.rows.map((r) => r.maxAbsDiff)).toEqual(fromNpy.rows.map((r) => r.maxAbsDiff));
    await writeFile(join(dir, 'short.npy'), npy(new Float32Array(3 * 64), [3, 8, 8, 1]));
    await expect(runParity({ ...local, inputs: [join(dir, 'tokens.npy'), join(dir, 'short.npy')] })).rejects.toThrow(/short\.npy: input "image" needs shape \[N, 8, 8, 2\], the file holds \[3, 8, 8, 1\]/);
    await expect(runParity({ ...local, inputs: [join(dir, 'tokens.npy')] })).rejects.toThrow(InvalidInputError);
    await writeFile(join(dir, 'bad.npy'), 'not numpy');
    await expect(runParity({ ...local, inputs: [join(dir, 'bad.npy'), join(dir, 'image.npy')] })).rejects.toThrow(/bad\.npy: not a readable \.npy file: no NUMPY magic/);
    await writeFile(join(dir, 'floats.json'), JSON.stringify({ tokens: nested(Float32Array.from(tokens, (v) => v + 0.5), [3, 9]), image: nested(image, [3, 8, 8, 2]) }));
    await expect(runParity({ ...local, inputs: [join(dir, 'floats.json')] })).rejects.toThrow(/floats\.json: input "tokens" is int32, but the file holds non-integer values/);
  });
});
