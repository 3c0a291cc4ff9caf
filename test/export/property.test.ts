// Property test: many random stacks of supported layers (kernel sizes, strides, paddings, dilations,
// pools, BN, squeeze-excitation, residuals, concatenation, GRU forms, activations, lengths, class
// counts), each exported and compared with TF.js on random inputs, with and without the passes.
import { afterAll, describe, it } from 'vitest';
import { onnxCheck } from './fixtures.js';
import { randomModel } from './models.js';
import { checkModelParity } from './parity.js';

const MODELS = 40;
const written: string[] = [];
afterAll(() => {
  if (written.length > 0) onnxCheck(...written);
});

describe('property: random supported models export exactly', () => {
  for (let seed = 1; seed <= MODELS; seed++) {
    it(`random model seed ${seed}`, async () => {
      const { model } = randomModel(seed);
      const layers = model.layers.map((l) => l.getClassName()).join(' > ');
      const r = await checkModelParity(model, `seed ${seed}: ${layers}`);
      written.push(...r.files);
    });
  }
});
