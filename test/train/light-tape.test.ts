// The lighter first-order tape (train/light-tape.ts): the same gradient bits as TF.js's own tape with
// fewer tape nodes, no leaked tensors, and the engine's method back afterwards (second-order
// gradients still work), also when the call throws.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/backend.js';
import { ResetAfterGRU } from '../../train/gru.js';
import { withLightTape } from '../../train/light-tape.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function model(): tf.LayersModel {
  const input = tf.input({ shape: [12, 1] });
  let x = tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling1d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = new ResetAfterGRU({ units: 5, seed: 2 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Gradient values of every trainable variable, and the tape nodes recorded, for one loss. */
function gradientsOf(m: tf.LayersModel, light: boolean): { values: Float32Array[]; tapeNodes: number } {
  const engine = tf.engine() as unknown as { addTapeNode: (...args: unknown[]) => void };
  const record = engine.addTapeNode;
  let tapeNodes = 0;
  engine.addTapeNode = function (this: unknown, ...args: unknown[]) {
    tapeNodes++;
    return record.apply(this, args);
  };
  try {
    return tf.tidy(() => {
      const xs = tf.randomNormal([4, 12, 1], 0, 1, 'float32', 7);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const run = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, m.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      const { grads } = light ? withLightTape(run) : run();
      return { values: variables.map((v) => grads[v.name]!.dataSync() as Float32Array), tapeNodes };
    });
  } finally {
    delete (engine as Partial<typeof engine>).addTapeNode;
  }
}

describe('withLightTape', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`gives the engine's gradient bits with fewer tape nodes and no leaked tensors (${backend})`, async () => {
      await tf.setBackend(backend);
      try {
        const m = model();
        const before = tf.memory().numTensors;
        const own = gradientsOf(m, false);
        const light = gradientsOf(m, true);
        expect(tf.memory().numTensors).toBe(before);
        expect(light.values.length).toBe(own.values.length);
        light.values.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(own.values[i]!.buffer))).toBe(true));
        // Every saved tensor's clone node is gone; the kernels' own nodes stay.
        expect(light.tapeNodes).toBeGreaterThan(0);
        expect(light.tapeNodes).toBeLessThan(own.tapeNodes * 0.8);
        m.dispose();
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }

  it("puts the engine's method back, also when the call throws: second-order gradients work after it", () => {
    expect(() => withLightTape(() => { throw new Error('boom'); })).toThrow('boom');
    const engine = tf.engine() as object;
    expect(Object.prototype.hasOwnProperty.call(engine, 'saveTensorsForBackwardMode')).toBe(false);
    // d2/dx2 of x^3 at x = 2 is 12: the second gradient reaches the saved tensors through their clone nodes.
    const second = tf.grad(tf.grad((x: tf.Tensor) => tf.mul(tf.mul(x, x), x)));
    expect(second(tf.scalar(2)).dataSync()[0]).toBe(12);
  });

  it('nests: an inner call leaves the outer one light, and the value of fn comes back', () => {
    const engine = tf.engine() as object;
    const inner = withLightTape(() => withLightTape(() => 5) + Number(Object.prototype.hasOwnProperty.call(engine, 'saveTensorsForBackwardMode')));
    expect(inner).toBe(6);
    expect(Object.prototype.hasOwnProperty.call(engine, 'saveTensorsForBackwardMode')).toBe(false);
  });
});
