// The model must be the paper's Table 1 (../shared/PAPER.md) layer for layer: output shapes,
// parameter counts, the SE wiring (block 1 without, block 2 with a residual) and the totals.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classInfos } from '../../core/spec.js';
import { initBackend } from '../../train/backend.js';
import { buildModel } from '../../train/model.js';

// [class, output shape without batch, params], in Table 1's order (row 0, the input, included).
const TABLE_1: ReadonlyArray<[string, number[], number]> = [
  ['InputLayer', [140, 1], 0],
  ['Conv1D', [47, 128], 6528],
  ['BatchNormalization', [47, 128], 512],
  ['MaxPooling1D', [16, 128], 0],
  ['Conv1D', [16, 32], 28704],
  ['BatchNormalization', [16, 32], 128],
  ['MaxPooling1D', [8, 32], 0],
  ['GlobalAveragePooling1D', [32], 0],
  ['Dense', [4], 128],
  ['Dense', [32], 128],
  ['Multiply', [8, 32], 0],
  ['Conv1D', [8, 32], 10272],
  ['Conv1D', [4, 128], 20608],
  ['MaxPooling1D', [2, 128], 0],
  ['Conv1D', [2, 512], 328192],
  ['GlobalAveragePooling1D', [512], 0],
  ['Dense', [32], 16384],
  ['Dense', [512], 16384],
  ['Multiply', [2, 512], 0],
  ['Add', [2, 512], 0],
  ['ResetAfterGRU', [128], 246528],
  ['Dropout', [128], 0],
  ['Dense', [512], 66048],
  ['Dropout', [512], 0],
  ['Dense', [5], 2565],
];

const ECG5000_SPEC = { inputLength: 140, channels: 1, classes: classInfos(['1', '2', '3', '4', '5']) };
const sizeOf = (w: tf.LayerVariable) => w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);

describe('buildModel: Table 1', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await initBackend('wasm'); // the CPU backend's orthogonal initialiser (QR) takes ~15 s here
    model = buildModel(ECG5000_SPEC);
  });

  it('has Table 1 layer for layer (class, output shape, params)', () => {
    const actual = model.layers.map((l) => [l.getClassName(), (l.outputShape as (number | null)[]).slice(1), l.countParams()]);
    expect(actual).toEqual(TABLE_1);
  });

  it('has 743,109 parameters, 742,789 trainable and 320 non-trainable', () => {
    const trainable = model.trainableWeights.reduce((s, w) => s + sizeOf(w), 0);
    const nonTrainable = model.nonTrainableWeights.reduce((s, w) => s + sizeOf(w), 0);
    expect(model.countParams()).toBe(743109);
    expect(trainable).toBe(742789);
    expect(nonTrainable).toBe(320);
  });

  it('wires SE block 1 without a residual and SE block 2 with one', () => {
    const inputsOf = (layer: tf.layers.Layer) => layer.inboundNodes[0]!.inboundLayers.map((l) => model.layers.indexOf(l));
    expect(inputsOf(model.layers[10]!)).toEqual([6, 9]); // Multiply: pooled features * SE weights
    expect(inputsOf(model.layers[11]!)).toEqual([10]); // the next conv reads the product, no add
    expect(inputsOf(model.layers[18]!)).toEqual([14, 17]);
    expect(inputsOf(model.layers[19]!)).toEqual([14, 18]); // Add: residual around SE block 2
    expect(inputsOf(model.layers[20]!)).toEqual([19]);
  });

  it('takes input length and class count from the spec', () => {
    const other = buildModel({ inputLength: 96, channels: 2, classes: classInfos(['a', 'b', 'c']) }, { gruUnits: 8, denseUnits: 16 });
    expect(other.inputs[0]!.shape).toEqual([null, 96, 2]);
    expect(other.outputs[0]!.shape).toEqual([null, 3]);
    const probabilities = tf.tidy(() => (other.predict(tf.randomNormal([4, 96, 2], 0, 1, 'float32', 1)) as tf.Tensor).sum(1).arraySync() as number[]);
    for (const p of probabilities) expect(p).toBeCloseTo(1, 5);
  });
});
