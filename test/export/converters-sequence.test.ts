// Per-converter tests for the sequence layers: LSTM / SimpleRNN / GRU (return_sequences, go_backwards,
// return_state, initial_state), Bidirectional (every merge mode), TimeDistributed, Embedding (int32
// ids, mask_zero), RepeatVector, Dot, LayerNormalization on sequences: TF.js predict vs
// onnxruntime-node with and without the passes, exactly one native recurrent node, no Loop/Scan.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ResetAfterGRU } from '../../train/gru.js';
import { onnxCheck } from './fixtures.js';
import { apply, bare, head, randomizeWeights } from './models.js';
import { checkModelParity, type ParityResult } from './parity.js';

type Sym = tf.SymbolicTensor;
interface Case {
  name: string;
  model: () => tf.LayersModel;
  /** Native recurrent nodes expected: op type -> count (and nothing else recurrent). */
  recurrent?: Record<string, number>;
  check?: (r: ParityResult) => void;
}

const seq = (shape: number[], body: (x: Sym) => Sym | Sym[]) => () => bare(shape, body);
const classifier = (shape: number[], body: (x: Sym) => Sym, dtype: 'float32' | 'int32' = 'float32') => () => bare(shape, (x) => head(body(x)), dtype);
const lstm = (args: Parameters<typeof tf.layers.lstm>[0]) => tf.layers.lstm(args);
const rnnOf = { LSTM: (a: object) => tf.layers.lstm({ units: 3, ...a }), SimpleRNN: (a: object) => tf.layers.simpleRNN({ units: 3, ...a }), GRU: (a: object) => tf.layers.gru({ units: 3, ...a }) };
const attributeOf = (r: ParityResult, op: string, key: string) => r.optimized.nodes.find((n) => n.opType === op)?.attributes[key];

const CASES: Case[] = [
  ...(['LSTM', 'SimpleRNN', 'GRU'] as const).flatMap((cls) =>
    [false, true].flatMap((returnSequences) =>
      [false, true].map((goBackwards) => ({
        name: `${cls} returnSequences ${returnSequences} goBackwards ${goBackwards}`,
        model: seq([6, 3], (x) => apply(rnnOf[cls]({ returnSequences, goBackwards }), x)),
        recurrent: { [cls === 'SimpleRNN' ? 'RNN' : cls]: 1 },
        check: (r: ParityResult) => expect(attributeOf(r, cls === 'SimpleRNN' ? 'RNN' : cls, 'direction') ?? 'forward').toBe(goBackwards ? 'reverse' : 'forward'),
      })),
    ),
  ),
  { name: 'LSTM sigmoid recurrent activation, relu activation, no bias', model: seq([5, 2], (x) => apply(lstm({ units: 4, recurrentActivation: 'sigmoid', activation: 'relu', useBias: false }), x)), recurrent: { LSTM: 1 }, check: (r) => expect(attributeOf(r, 'LSTM', 'activations')).toEqual(['Sigmoid', 'Relu', 'Relu']) },
  { name: 'SimpleRNN linear activation (Affine)', model: seq([5, 2], (x) => apply(tf.layers.simpleRNN({ units: 3, activation: 'linear' }), x)), recurrent: { RNN: 1 } },
  { name: 'LSTM return_state: [output, h, c]', model: seq([5, 2], (x) => apply(lstm({ units: 3, returnState: true }), x) as unknown as Sym[]), recurrent: { LSTM: 1 } },
  { name: 'GRU return_sequences + return_state', model: seq([5, 2], (x) => apply(tf.layers.gru({ units: 3, returnSequences: true, returnState: true }), x) as unknown as Sym[]), recurrent: { GRU: 1 } },
  {
    name: 'encoder LSTM states -> decoder LSTM initial_state (two inputs)',
    model: () => {
      const enc = tf.input({ shape: [4, 2], name: 'encoder_in' });
      const dec = tf.input({ shape: [5, 3], name: 'decoder_in' });
      const [, h, c] = lstm({ units: 3, returnState: true }).apply(enc) as Sym[];
      const out = lstm({ units: 3, returnSequences: true }).apply(dec, { initialState: [h!, c!] }) as Sym;
      return tf.model({ inputs: [enc, dec], outputs: apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'softmax' }) }), out) });
    },
    recurrent: { LSTM: 2 },
  },
  ...(['concat', 'sum', 'mul', 'ave'] as const).flatMap((mergeMode) =>
    [false, true].map((returnSequences) => ({
      name: `Bidirectional(LSTM) merge ${mergeMode} returnSequences ${returnSequences}`,
      model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: lstm({ units: 3, returnSequences }) as tf.RNN, mergeMode }), x)),
      recurrent: { LSTM: 1 },
      check: (r: ParityResult) => expect(attributeOf(r, 'LSTM', 'direction')).toBe('bidirectional'),
    })),
  ),
  { name: 'Bidirectional(GRU) concat', model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2 }) as tf.RNN }), x)), recurrent: { GRU: 1 } },
  { name: 'ResetAfterGRU after an Embedding mask_zero (TF.js hands it no mask)', model: classifier([6], (x) => apply(new ResetAfterGRU({ units: 3 }), apply(tf.layers.embedding({ inputDim: 4, outputDim: 3, maskZero: true }), x)), 'int32'), recurrent: { GRU: 1 } },
  { name: 'Bidirectional(GRU sigmoid) return_sequences', model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN }), x)), recurrent: { GRU: 1 } },
  { name: 'Bidirectional(SimpleRNN) merge null: two outputs', model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2, returnSequences: true }) as tf.RNN, mergeMode: null as unknown as 'concat' }), x) as unknown as Sym[]), recurrent: { RNN: 1 } },
  // return_state: [merged output, forward states..., backward states...] (h, c for an LSTM; h for a GRU).
  { name: 'Bidirectional(LSTM) return_state: [output, h, c, h_back, c_back]', model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: lstm({ units: 3, returnState: true }) as tf.RNN }), x) as unknown as Sym[]), recurrent: { LSTM: 1 } },
  { name: 'Bidirectional(GRU) return_sequences + return_state', model: seq([6, 3], (x) => apply(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, returnSequences: true, returnState: true }) as tf.RNN, mergeMode: 'sum' }), x) as unknown as Sym[]), recurrent: { GRU: 1 } },
  { name: 'stacked Bidirectional LSTMs', model: classifier([6, 3], (x) => apply(tf.layers.bidirectional({ layer: lstm({ units: 2 }) as tf.RNN }), apply(tf.layers.bidirectional({ layer: lstm({ units: 3, returnSequences: true }) as tf.RNN }), x))), recurrent: { LSTM: 2 } },
  { name: 'TimeDistributed(Dense) on an LSTM sequence', model: seq([5, 2], (x) => apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: 'relu' }) }), apply(lstm({ units: 3, returnSequences: true }), x))), recurrent: { LSTM: 1 } },
  { name: 'TimeDistributed(Conv2D) over frames (a reshape)', model: seq([3, 5, 5, 2], (x) => apply(tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }) }), x)) },
  { name: 'TimeDistributed(Flatten) then LSTM', model: classifier([3, 4, 2], (x) => apply(lstm({ units: 2 }), apply(tf.layers.timeDistributed({ layer: tf.layers.flatten() }), x))), recurrent: { LSTM: 1 } },
  { name: 'Embedding (int32 ids) -> LSTM', model: classifier([7], (x) => apply(lstm({ units: 3 }), apply(tf.layers.embedding({ inputDim: 11, outputDim: 4 }), x)), 'int32'), recurrent: { LSTM: 1 } },
  { name: 'Embedding (float ids, Cast) -> GlobalAveragePooling1D', model: classifier([6], (x) => apply(tf.layers.globalAveragePooling1d(), apply(tf.layers.embedding({ inputDim: 9, outputDim: 3 }), x))) },
  { name: 'Embedding mask_zero -> LSTM (masked steps skipped)', model: classifier([8], (x) => apply(lstm({ units: 3 }), apply(tf.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: true }), x)), 'int32'), recurrent: { LSTM: 1 } },
  { name: 'Embedding mask_zero -> Bidirectional(GRU) (masked steps skipped both ways)', model: classifier([8], (x) => apply(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN }), apply(tf.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true }), x)), 'int32'), recurrent: { GRU: 1 } },
  { name: 'Embedding mask_zero -> Dense -> SimpleRNN (mask passes Dense)', model: classifier([8], (x) => apply(tf.layers.simpleRNN({ units: 3 }), apply(tf.layers.dense({ units: 4 }), apply(tf.layers.embedding({ inputDim: 4, outputDim: 3, maskZero: true }), x))), 'int32'), recurrent: { RNN: 1 } },
  { name: 'RepeatVector -> LSTM return_sequences (sequence decoder)', model: seq([4], (x) => apply(lstm({ units: 3, returnSequences: true }), apply(tf.layers.repeatVector({ n: 5 }), x))), recurrent: { LSTM: 1 } },
  { name: 'Dot axes 2 of two sequences (attention scores) + Softmax', model: seq([5, 3], (x) => apply(tf.layers.softmax({ axis: -1 }), apply(tf.layers.dot({ axes: 2 }), [x, apply(lstm({ units: 3, returnSequences: true }), x)]))), recurrent: { LSTM: 1 } },
  { name: 'Dot axes [1, 1] normalize (cosine over time)', model: seq([5, 3], (x) => apply(tf.layers.dot({ axes: [1, 1], normalize: true }), [x, apply(tf.layers.dense({ units: 2 }), x)])) },
  { name: 'Dot of vectors -> [N, 1]', model: seq([4], (x) => apply(tf.layers.dot({ axes: 1 }), [x, apply(tf.layers.dense({ units: 4 }), x)])) },
  { name: 'BatchNormalization on an LSTM sequence (time-major stored)', model: seq([5, 2], (x) => apply(tf.layers.batchNormalization({}), apply(lstm({ units: 4, returnSequences: true }), x))), recurrent: { LSTM: 1 } },
  { name: 'LayerNormalization on an LSTM sequence (time-major stored)', model: seq([5, 2], (x) => apply(tf.layers.layerNormalization({}), apply(lstm({ units: 4, returnSequences: true }), x))), recurrent: { LSTM: 1 } },
];

const RECURRENT_OPS = ['GRU', 'LSTM', 'RNN'];
const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('sequence converters: TF.js predict vs onnxruntime-node', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = c.model();
      randomizeWeights(model, c.name.length);
      const r = await checkModelParity(model, c.name);
      written.push(...r.files);
      for (const s of [r.unoptimized, r.optimized, r.allLowered]) {
        expect(s.nodesByOp.Loop ?? 0).toBe(0);
        expect(s.nodesByOp.Scan ?? 0).toBe(0);
        const found = Object.fromEntries(RECURRENT_OPS.filter((op) => s.nodesByOp[op]).map((op) => [op, s.nodesByOp[op]]));
        expect(found).toEqual(c.recurrent ?? {});
      }
      c.check?.(r);
    });
  }
});
