// Per-converter tests: a tiny random model per layer and option, TF.js predict vs onnxruntime-node
// (<= TOLERANCES.onnxAbs) with and without the optimisation passes, graph-structure checks, and one
// onnx.checker full_check over every file written.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ResetAfterGRU } from '../../train/gru.js';
import { onnxCheck } from './fixtures.js';
import { ACTIVATIONS, apply, functional, randomizeWeights } from './models.js';
import { checkModelParity, type ParityResult } from './parity.js';

type Sym = tf.SymbolicTensor;
interface Case {
  name: string;
  steps?: number;
  channels?: number;
  body: (x: Sym) => Sym;
  check?: (r: ParityResult) => void;
}

const conv = (args: Parameters<typeof tf.layers.conv1d>[0]) => (x: Sym) => apply(tf.layers.conv1d(args), x);
const ops = (r: ParityResult['optimized']) => r.nodesByOp;

const CASES: Case[] = [
  { name: 'Conv1D same k3 s1', body: conv({ filters: 4, kernelSize: 3, padding: 'same' }) },
  { name: 'Conv1D same k4 s3 (odd pad at the end)', steps: 13, body: conv({ filters: 4, kernelSize: 4, strides: 3, padding: 'same', activation: 'relu' }) },
  { name: 'Conv1D valid k5 s2 no bias', body: conv({ filters: 3, kernelSize: 5, strides: 2, padding: 'valid', useBias: false, activation: 'tanh' }) },
  { name: 'Conv1D valid dilation 2', body: conv({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'valid' }) },
  { name: 'Conv1D same dilation 3 k2', body: conv({ filters: 2, kernelSize: 2, dilationRate: 3, padding: 'same', activation: 'elu' }) },
  { name: 'Conv1D k1 pointwise', body: conv({ filters: 5, kernelSize: 1 }) },
  { name: 'Conv1D k50 s3 (paper layer 1)', steps: 140, channels: 1, body: conv({ filters: 8, kernelSize: 50, strides: 3, padding: 'same', activation: 'relu' }) },
  {
    name: 'Conv1D + BatchNormalization folds into the Conv',
    body: (x) => apply(tf.layers.batchNormalization({ epsilon: 1e-3 }), conv({ filters: 4, kernelSize: 3, padding: 'same' })(x)),
    check: (r) => {
      expect(ops(r.unoptimized).BatchNormalization).toBe(1);
      expect(ops(r.optimized).BatchNormalization).toBeUndefined();
    },
  },
  {
    name: 'Dense + BatchNormalization folds into the Gemm',
    body: (x) => apply(tf.layers.batchNormalization({ center: false }), apply(tf.layers.dense({ units: 6 }), apply(tf.layers.flatten(), x))),
    check: (r) => expect(ops(r.optimized).BatchNormalization).toBeUndefined(),
  },
  {
    name: 'Conv chains run as 2-D ops over (N,C,1,T): conv -> relu -> BN -> pool -> dilated conv -> residual add -> average pool',
    steps: 40, // every conv output stays longer than the Gemm-lowering threshold
    body: (x) => {
      const p = apply(tf.layers.maxPooling1d({ poolSize: 2, padding: 'same' }), apply(tf.layers.batchNormalization(), conv({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' })(x)));
      const a = apply(tf.layers.add(), [p, conv({ filters: 16, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' })(p)]);
      return apply(tf.layers.averagePooling1d({ poolSize: 3, padding: 'same' }), a);
    },
    check: (r) => {
      const windowed = (s: ParityResult['optimized']) => s.nodes.filter((n) => ['Conv', 'MaxPool', 'AveragePool'].includes(n.opType));
      expect(windowed(r.unoptimized).map((n) => (n.attributes.kernel_shape as number[]).length)).toEqual([1, 1, 1, 1]);
      expect(windowed(r.optimized).map((n) => (n.attributes.kernel_shape as number[])[0])).toEqual([1, 1, 1, 1]);
      // One way into 4-D and one way out: the BN, the residual Add and the activations stay 4-D.
      expect(ops(r.optimized).Unsqueeze).toBe(1);
      expect(ops(r.optimized).Squeeze).toBe(1);
    },
  },
  { name: 'BatchNormalization after relu (not foldable), scale=false', body: (x) => apply(tf.layers.batchNormalization({ scale: false }), conv({ filters: 4, kernelSize: 3, activation: 'relu' })(x)) },
  {
    name: 'Conv -> relu -> BatchNormalization (positive scale) -> MaxPool -> Conv (dense): scale into the conv, shift into the dense bias',
    steps: 20, // pooled to 7 steps: the second conv's output is short enough to become a dense Gemm
    body: (x) => conv({ filters: 4, kernelSize: 7, padding: 'same' })(apply(tf.layers.maxPooling1d({ poolSize: 3, padding: 'same' }), apply(tf.layers.batchNormalization({ scale: false }), conv({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' })(x)))),
    check: (r) => {
      expect(ops(r.optimized).BatchNormalization).toBeUndefined();
      expect(ops(r.optimized).Conv).toBe(1);
      expect(ops(r.optimized).Add).toBeUndefined();
    },
  },
  ...(['same', 'valid'] as const).flatMap((padding) => [
    { name: `MaxPooling1D ${padding} pool 3`, steps: 11, body: (x: Sym) => apply(tf.layers.maxPooling1d({ poolSize: 3, padding }), x) },
    { name: `MaxPooling1D ${padding} pool 3 stride 2 (overlapping)`, steps: 12, body: (x: Sym) => apply(tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding }), x) },
    { name: `AveragePooling1D ${padding} pool 3 (padding not counted)`, steps: 11, body: (x: Sym) => apply(tf.layers.averagePooling1d({ poolSize: 3, padding }), x) },
    { name: `AveragePooling1D ${padding} pool 2 stride 1`, steps: 9, body: (x: Sym) => apply(tf.layers.averagePooling1d({ poolSize: 2, strides: 1, padding }), x) },
  ]),
  { name: 'GlobalAveragePooling1D', body: (x) => apply(tf.layers.globalAveragePooling1d(), conv({ filters: 4, kernelSize: 3 })(x)) },
  { name: 'GlobalMaxPooling1D', body: (x) => apply(tf.layers.globalMaxPooling1d(), x) },
  ...ACTIVATIONS.map((activation) => ({ name: `Dense activation ${activation}`, body: (x: Sym) => apply(tf.layers.dense({ units: 5, activation }), apply(tf.layers.flatten(), x)) })),
  ...ACTIVATIONS.map((activation) => ({ name: `Activation ${activation} on [N,T,C]`, body: (x: Sym) => apply(tf.layers.activation({ activation }), x) })),
  { name: 'Dense without bias on 3-D input (MatMul on the last axis)', body: (x) => apply(tf.layers.dense({ units: 4, useBias: false, activation: 'relu' }), x) },
  { name: 'Dropout is the identity', body: (x) => apply(tf.layers.dropout({ rate: 0.5 }), x) },
  { name: 'Reshape', steps: 8, channels: 3, body: (x) => apply(tf.layers.reshape({ targetShape: [4, 6] }), x) },
  {
    name: 'Multiply (N,T,C)*(N,C) squeeze-excitation broadcast over time',
    body: (x) => apply(tf.layers.multiply(), [x, apply(tf.layers.dense({ units: 3, activation: 'sigmoid', useBias: false }), apply(tf.layers.globalAveragePooling1d(), x))]),
  },
  {
    name: 'Add residual after Conv (channels-first layout kept)',
    body: (x) => {
      const c = conv({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' })(x);
      return apply(tf.layers.add(), [c, conv({ filters: 3, kernelSize: 1 })(c)]);
    },
  },
  { name: 'Add with mixed layouts (input + conv)', body: (x) => apply(tf.layers.add(), [x, conv({ filters: 3, kernelSize: 3, padding: 'same' })(x)]) },
  { name: 'Concatenate last axis', body: (x) => apply(tf.layers.concatenate(), [x, conv({ filters: 2, kernelSize: 3, padding: 'same' })(x)]) },
  { name: 'Concatenate time axis', body: (x) => apply(tf.layers.concatenate({ axis: 1 }), [x, conv({ filters: 3, kernelSize: 3, padding: 'valid' })(x)]) },
  {
    name: 'Average, Maximum, Minimum',
    body: (x) => {
      const c = conv({ filters: 3, kernelSize: 3, padding: 'same' })(x);
      return apply(tf.layers.average(), [apply(tf.layers.maximum(), [x, c]), apply(tf.layers.minimum(), [x, c, x])]);
    },
  },
  ...(['hardSigmoid', 'sigmoid'] as const).flatMap((recurrentActivation) =>
    [false, true].map((returnSequences) => ({
      name: `GRU (TF.js, reset_after false) ${recurrentActivation} returnSequences ${returnSequences}`,
      body: (x: Sym) => apply(tf.layers.gru({ units: 4, recurrentActivation, returnSequences }), x),
      check: (r: ParityResult) => {
        const gru = r.optimized.nodes.filter((n) => n.opType === 'GRU');
        expect(gru).toHaveLength(1);
        expect(gru[0]!.attributes.linear_before_reset).toBe(0);
        expect(gru[0]!.attributes.activations).toEqual([recurrentActivation === 'sigmoid' ? 'Sigmoid' : 'HardSigmoid', 'Tanh']);
      },
    })),
  ),
  { name: 'GRU relu candidate activation', body: (x) => apply(tf.layers.gru({ units: 3, activation: 'relu', recurrentActivation: 'sigmoid' }), x) },
  ...[false, true].map((returnSequences) => ({
    name: `ResetAfterGRU returnSequences ${returnSequences}`,
    body: (x: Sym) => apply(new ResetAfterGRU({ units: 5, returnSequences }), x),
    check: (r: ParityResult) => {
      const gru = r.optimized.nodes.filter((n) => n.opType === 'GRU');
      expect(gru).toHaveLength(1);
      expect(gru[0]!.attributes.linear_before_reset).toBe(1);
      expect(gru[0]!.attributes.activations).toEqual(['Sigmoid', 'Tanh']);
    },
  })),
  { name: 'ResetAfterGRU without bias', body: (x) => apply(new ResetAfterGRU({ units: 3, useBias: false }), x) },
  { name: 'Conv -> Pool -> GRU(return sequences) -> Conv', steps: 16, body: (x) => {
    const g = apply(new ResetAfterGRU({ units: 4, returnSequences: true }), apply(tf.layers.maxPooling1d({ poolSize: 2 }), conv({ filters: 4, kernelSize: 3, padding: 'same' })(x)));
    return conv({ filters: 2, kernelSize: 2 })(g);
  } },
];

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('converters: TF.js predict vs onnxruntime-node', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = functional(c.steps ?? 10, c.channels ?? 3, c.body);
      randomizeWeights(model, c.name.length);
      const r = await checkModelParity(model, c.name);
      written.push(...r.files);
      for (const s of [r.unoptimized, r.optimized, r.allLowered]) {
        expect(s.nodesByOp.Loop ?? 0).toBe(0);
        expect(s.nodesByOp.Scan ?? 0).toBe(0);
      }
      c.check?.(r);
    });
  }

  it('Sequential model (first layer carries the input shape)', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv1d({ inputShape: [12, 2], filters: 3, kernelSize: 3, activation: 'relu' }), tf.layers.globalMaxPooling1d(), tf.layers.dense({ units: 4, activation: 'softmax' })],
    });
    randomizeWeights(model, 5);
    written.push(...(await checkModelParity(model, 'sequential')).files);
  });
});
