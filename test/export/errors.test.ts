// Bad inputs fail with typed errors that name the file / layer / option and what to do.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, UnsupportedLayerError } from '../../core/errors.js';
import { exportModel } from '../../export/node.js';
import { saveLayersModel, tempDir } from './fixtures.js';
import { apply, functional } from './models.js';

async function savedTiny(): Promise<string> {
  return saveLayersModel(functional(8, 2, (x) => apply(tf.layers.conv1d({ filters: 2, kernelSize: 3 }), x)), await tempDir());
}

async function editTopology(dir: string, edit: (layers: Record<string, unknown>[]) => void): Promise<void> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  edit(json.modelTopology.config.layers);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
}

describe('exporter errors', () => {
  it('missing folder / missing model.json', async () => {
    await expect(exportModel('/nonexistent/model')).rejects.toThrow(ModelFormatError);
    const empty = await tempDir();
    await mkdir(join(empty, 'model'));
    await expect(exportModel(join(empty, 'model'))).rejects.toThrow(/has no model\.json/);
  });

  it('corrupt model.json', async () => {
    const dir = await savedTiny();
    await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
    await expect(exportModel(dir)).rejects.toThrow(/model\.json: not valid JSON/);
  });

  it('missing and truncated weights file', async () => {
    const dir = await savedTiny();
    const weights = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, weights.length - 4));
    await expect(exportModel(dir)).rejects.toThrow(/truncated|do not match/);
    await writeFile(join(dir, 'weights.bin'), Buffer.concat([weights, Buffer.alloc(8)]));
    await expect(exportModel(dir)).rejects.toThrow(/shards hold/);
    await import('node:fs/promises').then((fs) => fs.rm(join(dir, 'weights.bin')));
    await expect(exportModel(dir)).rejects.toThrow(/weights\.bin: weights shard .* cannot be read/);
  });

  it('unsupported layer class names the layer and lists what is supported', async () => {
    const dir = await saveLayersModel(tf.sequential({ layers: [tf.layers.conv3d({ inputShape: [4, 4, 4, 1], filters: 2, kernelSize: 2 })] }), await tempDir());
    const err = await exportModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedLayerError);
    expect((err as Error).message).toMatch(/layer "conv3d_Conv3D\d+" \(Conv3D\): layer class not supported; supported: .*Conv1D.*GRU.*LSTM/);
  });

  it('unsupported options: time_major, stateful, causal padding, unknown activation', async () => {
    const cases: [string, (l: Record<string, unknown>) => void, RegExp][] = [
      ['GRU', (c) => (c.time_major = true), /\(GRU\): time_major true is not supported; supported: false/],
      ['GRU', (c) => (c.stateful = true), /stateful true is not supported/],
      ['Conv1D', (c) => (c.padding = 'causal'), /\(Conv1D\): padding "causal" is not supported; supported: same, valid/],
      ['Conv1D', (c) => (c.activation = 'gelu_new'), /activation "gelu_new" is not supported; supported: elu, /],
    ];
    for (const [cls, edit, message] of cases) {
      const body = cls === 'GRU' ? (x: tf.SymbolicTensor) => apply(tf.layers.gru({ units: 2 }), x) : (x: tf.SymbolicTensor) => apply(tf.layers.conv1d({ filters: 2, kernelSize: 2 }), x);
      const dir = await saveLayersModel(functional(6, 2, body), await tempDir());
      await editTopology(dir, (layers) => edit(layers.find((l) => l.class_name === cls)!.config as Record<string, unknown>));
      await expect(exportModel(dir)).rejects.toThrow(message);
    }
  });

  it('a weight missing from the manifest', async () => {
    const dir = await savedTiny();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights[0].name = 'renamed/kernel';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(exportModel(dir)).rejects.toThrow(/has no weight "kernel"/);
  });

  it('a graph model and an unsupported opset are refused', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    await expect(exportModel(dir)).rejects.toThrow(/graph model/);
    await expect(exportModel(await savedTiny(), { opset: 21 })).rejects.toThrow(/opset 21 is not supported; supported: 13\.\.17/);
  });
});
