// Per-converter tests for the 2-D (image) layers: a tiny random model per layer and option, TF.js
// predict vs onnxruntime-node with and without the optimisation passes, transposes counted, and one
// onnx.checker full_check over every file written.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportOptions } from '../../export/node.js';
import { onnxCheck } from './fixtures.js';
import { apply, bare, imageModel, randomizeWeights } from './models.js';
import { checkModelParity, type ParityResult } from './parity.js';

type Sym = tf.SymbolicTensor;
interface Case {
  name: string;
  shape?: [number, number, number];
  body: (x: Sym) => Sym;
  /** No head: the body's output is the model output. */
  raw?: boolean;
  options?: ExportOptions;
  check?: (r: ParityResult) => void;
}

const conv = (args: Parameters<typeof tf.layers.conv2d>[0]) => (x: Sym) => apply(tf.layers.conv2d(args), x);
const transposes = (r: ParityResult['optimized']) => r.nodesByOp.Transpose ?? 0;
const CF = 'channelsFirst' as const;

const CASES: Case[] = [
  { name: 'Conv2D same k3', body: conv({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }) },
  { name: 'Conv2D valid k[2,3] strides [2,1] no bias', shape: [9, 8, 2], body: conv({ filters: 3, kernelSize: [2, 3], strides: [2, 1], useBias: false }) },
  { name: 'Conv2D same k4 strides 3 (odd pads at the end)', shape: [10, 11, 2], body: conv({ filters: 3, kernelSize: 4, strides: 3, padding: 'same' }) },
  { name: 'Conv2D dilation 2', body: conv({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' }) },
  { name: 'Conv2D channelsFirst (no transpose at all)', shape: [2, 7, 6], body: (x) => apply(tf.layers.globalAveragePooling2d({ dataFormat: CF }), conv({ filters: 3, kernelSize: 3, dataFormat: CF, activation: 'relu' })(x)), check: (r) => expect(transposes(r.optimized)).toBe(0) },
  { name: 'DepthwiseConv2D multiplier 2', body: (x) => apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }), x) },
  { name: 'DepthwiseConv2D strides 2 valid', shape: [9, 9, 3], body: (x) => apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, useBias: false }), x) },
  { name: 'SeparableConv2D depth_multiplier 2 (TF.js leaves it out of the config: read from the kernel)', body: (x) => apply(tf.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }), x), check: (r) => expect(r.optimized.nodesByOp.Conv).toBe(2) },
  { name: 'Conv2DTranspose valid k3 s2', body: (x) => apply(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2 }), x) },
  { name: 'Conv2DTranspose same k4 s2', body: (x) => apply(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }), x) },
  { name: 'Conv2DTranspose same k2 s3 (k < s: output_padding)', shape: [4, 5, 2], body: (x) => apply(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'same' }), x) },
  { name: 'Conv2DTranspose valid k1 s2 (k < s)', shape: [4, 3, 2], body: (x) => apply(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2 }), x) },
  ...(['same', 'valid'] as const).flatMap((padding) => [
    { name: `MaxPooling2D ${padding} pool 3 strides 2`, shape: [9, 8, 2] as [number, number, number], body: (x: Sym) => apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding }), x) },
    { name: `AveragePooling2D ${padding} pool [2,3] (padding not counted)`, shape: [7, 8, 2] as [number, number, number], body: (x: Sym) => apply(tf.layers.averagePooling2d({ poolSize: [2, 3], padding }), x) },
  ]),
  { name: 'MaxPooling2D channelsFirst', shape: [2, 6, 6], body: (x) => apply(tf.layers.maxPooling2d({ poolSize: 2, dataFormat: CF }), x) },
  { name: 'GlobalAveragePooling2D after Conv2D', body: (x) => apply(tf.layers.globalAveragePooling2d({}), conv({ filters: 4, kernelSize: 3 })(x)) },
  { name: 'GlobalMaxPooling2D', body: (x) => apply(tf.layers.globalMaxPooling2d({}), x) },
  { name: 'ZeroPadding2D [[1,2],[0,3]]', body: (x) => apply(tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }), conv({ filters: 2, kernelSize: 3 })(x)) },
  { name: 'ZeroPadding2D channelsFirst', shape: [2, 5, 4], body: (x) => apply(tf.layers.zeroPadding2d({ padding: [1, 2], dataFormat: CF }), x) },
  { name: 'Cropping2D [[1,0],[2,1]]', body: (x) => apply(tf.layers.cropping2D({ cropping: [[1, 0], [2, 1]] }), conv({ filters: 2, kernelSize: 3, padding: 'same' })(x)) },
  { name: 'UpSampling2D nearest [2,3]', shape: [4, 3, 2], body: (x) => apply(tf.layers.upSampling2d({ size: [2, 3] }), x) },
  { name: 'UpSampling2D bilinear', shape: [4, 3, 2], body: (x) => apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), conv({ filters: 2, kernelSize: 1 })(x)) },
  { name: 'BatchNormalization on the channel axis of a 4-D input (folds into the Conv)', body: (x) => apply(tf.layers.batchNormalization({}), conv({ filters: 3, kernelSize: 3 })(x)), check: (r) => expect(r.optimized.nodesByOp.BatchNormalization).toBeUndefined() },
  { name: 'BatchNormalization on the raw image input (taken channels-first)', raw: true, body: (x) => apply(tf.layers.batchNormalization({}), x) },
  { name: 'LayerNormalization axis -1 after Conv2D', body: (x) => apply(tf.layers.layerNormalization({}), conv({ filters: 4, kernelSize: 3 })(x)) },
  { name: 'LayerNormalization at opset 13 (composed: no LayerNormalization op before 17)', options: { opset: 13 }, body: (x) => apply(tf.layers.layerNormalization({ axis: [2, 3] }), x), check: (r) => {
    expect(r.optimized.opset).toBe(13);
    expect(r.optimized.nodesByOp.LayerNormalization).toBeUndefined();
    expect(r.optimized.nodesByOp.ReduceMean).toBe(2);
  } },
  { name: 'LayerNormalization axes [1,2,3], no center', body: (x) => apply(tf.layers.layerNormalization({ axis: [1, 2, 3], center: false, epsilon: 1e-5 }), x) },
  { name: 'PReLU shared over H and W', body: (x) => apply(tf.layers.prelu({ sharedAxes: [1, 2] }), conv({ filters: 3, kernelSize: 3 })(x)) },
  { name: 'PReLU per element', shape: [3, 4, 2], body: (x) => apply(tf.layers.prelu({}), x) },
  { name: 'PReLU per element after Conv2D (alpha permuted into the stored NCHW layout)', body: (x) => apply(tf.layers.prelu({}), conv({ filters: 3, kernelSize: 2 })(x)) },
  { name: 'ReLU max_value 0.5, LeakyReLU 0.2, ELU, ThresholdedReLU 0.3', body: (x) => apply(tf.layers.thresholdedReLU({ theta: 0.3 }), apply(tf.layers.elu({}), apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(tf.layers.reLU({ maxValue: 0.5 }), conv({ filters: 3, kernelSize: 3 })(x))))) },
  { name: 'ReLU without max_value', body: (x) => apply(tf.layers.reLU({}), x) },
  { name: 'Softmax layer on the channel axis of a Conv2D (stored channels-first)', raw: true, body: (x) => apply(tf.layers.softmax({ axis: -1 }), conv({ filters: 3, kernelSize: 3 })(x)) },
  { name: 'Permute [3,1,2] after Conv2D (no node)', raw: true, body: (x) => apply(tf.layers.permute({ dims: [3, 1, 2] }), conv({ filters: 3, kernelSize: 3 })(x)), check: (r) => expect(transposes(r.optimized)).toBe(1) },
  { name: 'Flatten channelsFirst', shape: [2, 3, 4], body: (x) => apply(tf.layers.flatten({ dataFormat: CF }), x) },
  { name: 'Concatenate on the channel axis of two Conv2Ds, Add, Multiply', body: (x) => {
    const a = conv({ filters: 2, kernelSize: 3, padding: 'same' })(x);
    const b = conv({ filters: 2, kernelSize: 1 })(x);
    return apply(tf.layers.concatenate({ axis: -1 }), [apply(tf.layers.add(), [a, b]), apply(tf.layers.multiply(), [a, b])]);
  }, check: (r) => {
    // Only the input's: the head's Flatten (channels-last in Keras) is folded into the Dense weights.
    expect(transposes(r.unoptimized)).toBe(2);
    expect(transposes(r.optimized)).toBe(1);
  } },
  { name: 'Conv2D on one channel: the input transpose moves no data (a Reshape)', shape: [6, 5, 1], body: conv({ filters: 2, kernelSize: 3 }), check: (r) => expect(transposes(r.optimized)).toBe(0) },
];

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('2-D converters: TF.js predict vs onnxruntime-node', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const shape = c.shape ?? [6, 5, 3];
      const model = c.raw ? bare(shape, c.body) : imageModel(shape, c.body);
      randomizeWeights(model, c.name.length);
      const r = await checkModelParity(model, c.name, c.options);
      written.push(...r.files);
      c.check?.(r);
    });
  }
});
