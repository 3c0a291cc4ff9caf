// The graph signature: several inputs and outputs, any rank, float32 and int32 inputs, names from the
// model, dynamic batch and (opt-in) dynamic time; the ECG contract (beats / probabilities, ecg.*
// metadata) only for models that fit it, generic metadata for the rest; contract choice and its errors.
import { readFile, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { INPUT_NAME, OUTPUT_NAME, readModelMetadata } from '../../core/metadata.js';
import { UnsupportedLayerError } from '../../core/errors.js';
import { decodeModel } from '../../export/onnx-builder.js';
import { exportModel } from '../../export/node.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { onnxCheck, ortRunFeeds, randomFeeds, saveLayersModel, tempDir, tfPredictFeeds } from './fixtures.js';
import { apply, functional, head, randomizeWeights } from './models.js';
import { checkModelParity } from './parity.js';

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

function twoInTwoOut(): tf.LayersModel {
  const tokens = tf.input({ shape: [6], dtype: 'int32', name: 'tokens' });
  const image = tf.input({ shape: [5, 4, 2], name: 'image' });
  const text = apply(tf.layers.lstm({ units: 3 }), apply(tf.layers.embedding({ inputDim: 7, outputDim: 3 }), tokens));
  const pixels = apply(tf.layers.globalAveragePooling2d({}), apply(tf.layers.conv2d({ filters: 3, kernelSize: 3 }), image));
  const joint = apply(tf.layers.concatenate(), [text, pixels]);
  const classes = apply(tf.layers.dense({ units: 4, activation: 'softmax', name: 'classes' }), joint);
  const score = apply(tf.layers.dense({ units: 1, name: 'score' }), joint);
  const m = tf.model({ inputs: [tokens, image], outputs: [classes, score] });
  randomizeWeights(m, 3);
  return m;
}

describe('graph signature', () => {
  it('two inputs (int32 ids, float32 image), two outputs: the model names, shapes, dtypes, generic metadata', async () => {
    const model = twoInTwoOut();
    const r = await checkModelParity(model, 'two in two out');
    written.push(...r.files);
    const s = r.optimized;
    expect(s.inputs).toEqual([{ name: 'tokens', shape: ['N', 6], dtype: 'int32' }, { name: 'image', shape: ['N', 5, 4, 2], dtype: 'float32' }]);
    expect(s.outputs).toEqual([{ name: 'classes', shape: ['N', 4], dtype: 'float32' }, { name: 'score', shape: ['N', 1], dtype: 'float32' }]);
    expect(Object.keys(s.metadata).filter((k) => k.startsWith('ecg.'))).toEqual([]);
    expect(JSON.parse(s.metadata['model.inputs']!)).toEqual(s.inputs);
    expect(JSON.parse(s.metadata['model.outputs']!)).toEqual(s.outputs);
    const dir = await saveLayersModel(model, await tempDir());
    const { summary } = await exportModel(dir);
    expect(summary.contract).toBe('generic');
    expect(summary.inputs.map((v) => v.name)).toEqual(['tokens', 'image']);
    expect(summary.classes).toEqual([]);
    expect(s.metadata['model.source_sha256']).toBe(summary.sourceSha256);
    expect(s.metadata['model.name']).toBe(model.name);
    // The ECG runtimes refuse it with a message saying what it is.
    const { bytes } = await exportModel(dir);
    expect(() => readModelMetadata(bytes, 'two.onnx')).toThrow(/two\.onnx: not an ECG beat classifier .*"tokens"/);
  });

  it('the same tensor output twice, and an output that is also an input, get their own names', async () => {
    const x = tf.input({ shape: [3], name: 'x' });
    const d = apply(tf.layers.dense({ units: 2, name: 'd' }), x);
    const twice = tf.model({ inputs: x, outputs: [d, d] });
    randomizeWeights(twice, 1);
    // TF.js cannot predict a repeated output either: the reference is the single-output model, twice.
    const once = tf.model({ inputs: x, outputs: d });
    const r = await checkModelParity(twice, 'twice', { reference: (feeds) => [tfPredictFeeds(once, feeds)[0]!, tfPredictFeeds(once, feeds)[0]!] });
    written.push(...r.files);
    expect(r.optimized.outputs.map((o) => o.name)).toEqual(['d', 'd_1']);
    // TF.js cannot predict a model that returns its input; onnxruntime gets it back through an Identity.
    const { bytes } = await exportModel(await saveLayersModel(tf.model({ inputs: x, outputs: [x, d] }), await tempDir()));
    const m = decodeModel(bytes);
    expect(m.inputs.map((o) => o.name)).toEqual(['x']);
    expect(m.outputs.map((o) => o.name)).toEqual(['x_1', 'd']);
    const feeds = [{ name: 'x', dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }];
    expect(Array.from((await ortRunFeeds(bytes, feeds))[0]!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('the ECG contract when the model fits it; contract "generic" keeps the model names; "ecg" refuses what does not fit', async () => {
    const model = functional(10, 2, (x) => apply(tf.layers.conv1d({ filters: 2, kernelSize: 3 }), x));
    const dir = await saveLayersModel(model, await tempDir());
    const ecg = decodeModel((await exportModel(dir)).bytes);
    expect(ecg.inputs.map((v) => v.name)).toEqual([INPUT_NAME]);
    expect(ecg.outputs.map((v) => v.name)).toEqual([OUTPUT_NAME]);
    expect(ecg.metadata['ecg.input_length']).toBe('10');
    const generic = await exportModel(dir, { contract: 'generic' });
    const g = decodeModel(generic.bytes);
    expect(g.inputs.map((v) => v.name)).toEqual([model.inputNames[0]]);
    expect(g.outputs.map((v) => v.name)).toEqual([model.outputNames[0]]);
    expect(g.metadata['ecg.classes']).toBeUndefined();
    expect(generic.summary.contract).toBe('generic');
    const two = await saveLayersModel(twoInTwoOut(), await tempDir());
    await expect(exportModel(two, { contract: 'ecg' })).rejects.toThrow(/has 2 inputs and 2 outputs; the ECG contract needs one input/);
    const image = await saveLayersModel(functional(6, 3, (x) => apply(tf.layers.lstm({ units: 2, returnSequences: true }), x)), await tempDir());
    await expect(exportModel(image, { contract: 'ecg', dynamicTime: true })).rejects.toThrow(/dynamic time axis does not fit the ECG contract/);
    const seq = await saveLayersModel(tf.sequential({ layers: [tf.layers.lstm({ inputShape: [4, 2], units: 2, returnSequences: true })] }), await tempDir());
    await expect(exportModel(seq, { contract: 'ecg' })).rejects.toThrow(/output has shape \[N,4,2\]; the ECG contract needs a \[N, K\] output/);
    await expect(exportModel(two, { classes: [{ label: 'a', name: 'A' }] })).rejects.toThrow(UnsupportedLayerError);
    await expect(exportModel(dir, { contract: 'other' as 'ecg' })).rejects.toThrow(/contract "other" is not supported; supported: auto, ecg, generic/);
  });

  it('dynamic batch: one export runs batches of 1 and 9', async () => {
    const model = twoInTwoOut();
    const dir = await saveLayersModel(model, await tempDir());
    const { bytes } = await exportModel(dir);
    const inputs = decodeModel(bytes).inputs;
    for (const n of [1, 9]) {
      const feeds = randomFeeds(model, n, n, inputs);
      const want = tfPredictFeeds(model, feeds);
      (await ortRunFeeds(bytes, feeds)).forEach((got, i) => assertClose(got, want[i]!, TOLERANCES.onnxAbs, `batch ${n} output ${i}`));
    }
  });

  it('dynamic time (--dynamic-time): one export of a fixed-length model runs any length, as TF.js does with a None time axis', async () => {
    const build = (steps: number | null) => {
      const x = tf.input({ shape: [steps, 3] });
      const c = apply(tf.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c' }), x);
      const p = apply(tf.layers.maxPooling1d({ poolSize: 2, padding: 'same', name: 'p' }), c);
      const seq = apply(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN, name: 'b' }), p);
      const last = apply(tf.layers.gru({ units: 2, name: 'g' }), seq);
      return tf.model({ inputs: x, outputs: [head(last), apply(tf.layers.dense({ units: 2, name: 's' }), seq)] });
    };
    const fixed = build(12);
    randomizeWeights(fixed, 4);
    const free = build(null);
    free.setWeights(fixed.getWeights());
    const dir = await saveLayersModel(fixed, await tempDir());
    const { bytes, summary } = await exportModel(dir, { dynamicTime: true });
    expect(summary.inputs[0]!.shape).toEqual(['N', 'T', 3]);
    for (const steps of [12, 5, 17]) {
      const feeds = randomFeeds(free, 2, steps, summary.inputs, steps);
      const want = tfPredictFeeds(free, feeds);
      (await ortRunFeeds(bytes, feeds)).forEach((got, i) => assertClose(got, want[i]!, TOLERANCES.onnxAbs, `T=${steps} output ${i}`));
    }
    const file = `${dir}/dynamic.onnx`;
    await writeFile(file, bytes);
    written.push(file);
    // A layer that needs the length refuses it by name.
    const flat = await saveLayersModel(functional(6, 2, (x) => apply(tf.layers.dense({ units: 2 }), x)), await tempDir());
    await expect(exportModel(flat, { dynamicTime: true })).rejects.toThrow(/\(Flatten\): input shape \[N,T,2\] has a dynamic dimension; Flatten needs static sizes/);
  });

  it('a model with a None time axis exports it dynamic without the option', async () => {
    const x = tf.input({ shape: [null, 2] });
    const model = tf.model({ inputs: x, outputs: apply(tf.layers.simpleRNN({ units: 3 }), x) });
    randomizeWeights(model, 2);
    const r = await checkModelParity(model, 'none time', { time: 6 });
    written.push(...r.files);
    expect(r.optimized.inputs[0]!.shape).toEqual(['N', `${model.inputNames[0]}_d1`, 2]);
    const session = await ort.InferenceSession.create(new Uint8Array(await readFile(r.files[1]!)));
    expect(session.inputNames).toEqual([model.inputNames[0]]);
  });
});
