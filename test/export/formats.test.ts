// Other writers of the layers format: tensorflowjs_converter's quantized weights (uint8/uint16 affine,
// float16) and Keras 3's inbound-node spelling must export the same model as the plain float32 file.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../../export/node.js';
import { ortPredict, randomInput, saveLayersModel, tempDir } from './fixtures.js';
import { apply, functional, randomizeWeights } from './models.js';

const FIXED = { exportedAt: '2026-01-01T00:00:00.000Z' };

function tinyModel(): tf.LayersModel {
  const model = functional(10, 2, (x) => {
    const c = apply(tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
    return apply(tf.layers.add(), [c, apply(tf.layers.conv1d({ filters: 4, kernelSize: 1 }), c)]);
  });
  randomizeWeights(model, 11);
  return model;
}

/** IEEE half bits of v (round half up; our weights are normal halves). Node 20 has no Float16Array. */
function toHalfBits(v: number): number {
  const u = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 112;
  if (exp <= 0) return sign; // below the half normal range: flush to zero (the reference does too)
  return sign | Math.min(((exp << 10) | ((u & 0x7fffff) >> 13)) + ((u >> 12) & 1), 0x7bff);
}

function fromHalfBits(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const value = exp === 0 ? 0 : 2 ** (exp - 15) * (1 + (h & 0x3ff) / 1024);
  return h & 0x8000 ? -value : value;
}

interface Spec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** Rewrites weights.bin with every weight quantized; returns the dequantized values per weight. */
async function quantize(dir: string, dtype: 'uint8' | 'uint16' | 'float16'): Promise<Float32Array[]> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const raw = await readFile(join(dir, 'weights.bin'));
  const specs = json.weightsManifest[0].weights as Spec[];
  const parts: Buffer[] = [];
  const dequantized: Float32Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(raw.buffer.slice(raw.byteOffset + offset, raw.byteOffset + offset + size * 4));
    offset += size * 4;
    if (dtype === 'float16') {
      const bits = Uint16Array.from(w, toHalfBits);
      parts.push(Buffer.from(bits.buffer));
      dequantized.push(Float32Array.from(bits, fromHalfBits));
      spec.quantization = { dtype };
    } else {
      const levels = dtype === 'uint8' ? 255 : 65535;
      const min = Math.min(...w);
      const scale = (Math.max(...w) - min) / levels || 1;
      const q = dtype === 'uint8' ? Uint8Array.from(w, (v) => Math.round((v - min) / scale)) : Uint16Array.from(w, (v) => Math.round((v - min) / scale));
      parts.push(Buffer.from(q.buffer));
      dequantized.push(Float32Array.from(q, (v) => min + scale * v));
      spec.quantization = { dtype, scale, min };
    }
  }
  await writeFile(join(dir, 'weights.bin'), Buffer.concat(parts));
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return dequantized;
}

describe('layers-format variants', () => {
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`quantized ${dtype} weights export the dequantized model`, async () => {
      const model = tinyModel();
      const quantDir = await saveLayersModel(model, await tempDir());
      const values = await quantize(quantDir, dtype);
      // The reference: the same model with the dequantized values stored as float32.
      const order = model.weights.map((w) => w.name);
      expect(order).toHaveLength(values.length);
      model.setWeights(model.weights.map((w, i) => tf.tensor(values[i]!, w.shape as number[])));
      const plainDir = await saveLayersModel(model, await tempDir());
      const x = randomInput(4, [10, 2], 3);
      const q = await ortPredict((await exportModel(quantDir, FIXED)).bytes, x, [4, 10, 2]);
      const p = await ortPredict((await exportModel(plainDir, FIXED)).bytes, x, [4, 10, 2]);
      expect(Array.from(q)).toEqual(Array.from(p));
    });
  }

  it('Keras 3 inbound nodes ({args: [keras_history tensors]}) give the identical file', async () => {
    const dir = await saveLayersModel(tinyModel(), await tempDir());
    const before = (await exportModel(dir, FIXED)).bytes;
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const tensor = (r: unknown[]) => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: r.slice(0, 3) } });
    for (const layer of json.modelTopology.config.layers) {
      layer.inbound_nodes = (layer.inbound_nodes as unknown[][][]).map((node) => ({
        args: node.length === 1 ? [tensor(node[0]!)] : [node.map(tensor)],
        kwargs: {},
      }));
    }
    json.modelTopology.class_name = 'Functional';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const after = (await exportModel(dir, FIXED)).bytes;
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false); // the source hash differs...
    const strip = (b: Uint8Array) => Buffer.from(b).toString('latin1').replace(/[0-9a-f]{64}/, '');
    expect(strip(after)).toBe(strip(before)); // ...and nothing else does
  });
});
