// The corpus of real architectures (corpus.ts): each exported with and without the passes, passing
// onnx.checker full_check, matching TF.js predict within TOLERANCES.corpusAbs on onnxruntime-node and
// onnxruntime-web (WASM in Node); native recurrent nodes only, and the image models stay NCHW from
// the first layer to the last (transposes counted).
import { afterAll, describe, expect, it } from 'vitest';
import { TOLERANCES } from '../helpers/tolerances.js';
import { CORPUS } from './corpus.js';
import { onnxCheck } from './fixtures.js';
import { checkModelParity, type ParityResult } from './parity.js';

const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

/** Per model: what the optimised graph must look like. */
const STRUCTURE: Record<string, (s: ParityResult['optimized']) => void> = {
  'MobileNet v1 0.25 96x96': (s) => {
    expect(s.nodesByOp.Conv).toBe(28);
    expect(s.nodesByOp.BatchNormalization ?? 0).toBe(0);
    expect(s.nodesByOp.Transpose).toBe(1);
  },
  'MobileNet v2 blocks 96x96': (s) => {
    expect(s.nodesByOp.BatchNormalization ?? 0).toBe(0);
    expect(s.nodesByOp.Transpose).toBe(1);
  },
  // One channel: the input's NHWC -> NCHW moves no data (a Reshape); the Keras (channels-last)
  // Flatten is folded into the Dense weights. No transpose at all.
  'speech-commands Conv2D 43x232': (s) => expect(s.nodesByOp.Transpose ?? 0).toBe(0),
  'text Embedding + BiLSTM (mask_zero)': (s) => {
    expect(s.nodesByOp.LSTM).toBe(1);
    expect(s.nodes.find((n) => n.opType === 'LSTM')!.attributes.direction).toBe('bidirectional');
  },
  'seq2seq encoder-decoder LSTM': (s) => expect(s.nodesByOp.LSTM).toBe(2),
  'two-input image + tabular': (s) => expect(s.inputs.map((v) => v.name)).toEqual(['image', 'tabular']),
};

describe('corpus: real architectures on onnxruntime-node and onnxruntime-web', () => {
  for (const entry of CORPUS) {
    it(entry.name, async () => {
      const model = entry.build();
      const r = await checkModelParity(model, entry.name, { atol: TOLERANCES.corpusAbs, web: true, feeds: entry.feeds });
      written.push(...r.files);
      for (const s of [r.unoptimized, r.optimized, r.allLowered]) {
        expect(s.nodesByOp.Loop ?? 0).toBe(0);
        expect(s.nodesByOp.Scan ?? 0).toBe(0);
      }
      STRUCTURE[entry.name]!(r.optimized);
      model.dispose();
    });
  }
});
