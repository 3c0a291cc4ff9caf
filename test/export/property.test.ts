// Property test: many random stacks of supported layers, each exported and compared with TF.js on
// random inputs, with and without the passes, and checked by onnx.checker:
// - 1-D (ECG-like): kernel sizes, strides, paddings, dilations, pools, BN, squeeze-excitation,
//   residuals, concatenation, GRU forms, activations, lengths, class counts;
// - 2-D: convolutions (plain, depthwise, separable, transposed), pools, BN / LayerNormalization,
//   padding, cropping, upsampling, residuals, advanced activations, pooled or flattened heads;
// - sequences: float or token-id inputs (Embedding, mask_zero), LSTM / GRU / SimpleRNN in any
//   direction, Bidirectional in every merge mode, TimeDistributed, LayerNormalization, sequence
//   outputs, and a dynamic time axis.
import { afterAll, describe, expect, it } from 'vitest';
import { onnxCheck } from './fixtures.js';
import { randomModel } from './models.js';
import { checkModelParity } from './parity.js';
import { randomImageModel, randomSequenceModel } from './random-models.js';

const MODELS = 40;
const IMAGE_MODELS = 25;
const SEQUENCE_MODELS = 25;
const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});
const layersOf = (m: { layers: { getClassName(): string }[] }) => m.layers.map((l) => l.getClassName()).join(' > ');

describe('property: random supported models export exactly', () => {
  for (let seed = 1; seed <= MODELS; seed++) {
    it(`random model seed ${seed}`, async () => {
      const { model } = randomModel(seed);
      const r = await checkModelParity(model, `seed ${seed}: ${layersOf(model)}`);
      written.push(...r.files);
    });
  }
  for (let seed = 1; seed <= IMAGE_MODELS; seed++) {
    it(`random image model seed ${seed}`, async () => {
      const model = randomImageModel(seed);
      const r = await checkModelParity(model, `image seed ${seed}: ${layersOf(model)}`);
      written.push(...r.files);
    });
  }
  for (let seed = 1; seed <= SEQUENCE_MODELS; seed++) {
    it(`random sequence model seed ${seed}`, async () => {
      const { model, steps, dynamicTime } = randomSequenceModel(seed);
      const r = await checkModelParity(model, `sequence seed ${seed}: ${layersOf(model)}${dynamicTime ? ' (dynamic time)' : ''}`, { dynamicTime, time: steps });
      written.push(...r.files);
      expect(typeof r.optimized.inputs[0]!.shape[1] === 'string').toBe(dynamicTime);
      expect(r.optimized.nodesByOp.Loop ?? 0).toBe(0);
    });
  }
});
