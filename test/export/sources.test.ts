// Every way a model reaches the exporter gives the same .onnx: the trained ECG model from its folder,
// as a tf.LayersModel in memory, as the ModelArtifacts model.save() produces, as model.json + weight
// files in memory (what a page gets from a file picker), and fetched from a URL. The source hash is the
// model's content, recomputed here independently; SHA-256 without node:crypto matches node:crypto.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOnnxMetadataProps } from '../../core/metadata.js';
import { exportModel as exportInBrowser, layersModelFilesFrom, EXPORTER_VERSION } from '../../export/index.js';
import { exportModel } from '../../export/node.js';
import { sha256Hex, sha256HexPlain } from '../../export/sha256.js';
import { initBackend } from '../../train/backend.js';
import { loadTrainedModel } from '../../train/save.js';
import { getTrainedRun } from '../helpers/trained-model.js';

const FIXED = { exportedAt: '2026-01-01T00:00:00.000Z' } as const;
let modelDir: string;
let fromFolder: Uint8Array;

beforeAll(async () => {
  ({ modelDir } = await getTrainedRun());
  await initBackend('wasm');
  fromFolder = (await exportModel(modelDir, FIXED)).bytes;
});

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const named = (name: string, bytes: Uint8Array) => ({ name, arrayBuffer: async () => bytes.slice().buffer as ArrayBuffer });

describe('the trained ECG model exports to the same bytes from every source', () => {
  it('a tf.LayersModel in memory', async () => {
    const { model } = await loadTrainedModel(modelDir);
    try {
      const { bytes, summary } = await exportInBrowser(model, FIXED);
      expect(summary.source).toMatch(/^in-memory LayersModel/);
      expect(hex(bytes)).toBe(hex(fromFolder));
    } finally {
      model.dispose();
    }
  });

  it('the ModelArtifacts of model.save(), weightData as one buffer or as a list of buffers', async () => {
    const { model } = await loadTrainedModel(modelDir);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    model.dispose();
    expect(hex((await exportInBrowser(artifacts!, FIXED)).bytes)).toBe(hex(fromFolder));
    const data = new Uint8Array(artifacts!.weightData as ArrayBuffer);
    const split = [data.slice(0, 1000).buffer, data.slice(1000).buffer];
    expect(hex((await exportInBrowser({ ...artifacts!, weightData: split }, FIXED)).bytes)).toBe(hex(fromFolder));
  });

  it('model.json + weight files picked in a page (layersModelFilesFrom), by any path the manifest uses', async () => {
    const json = await readFile(join(modelDir, 'model.json'));
    const weights = await readFile(join(modelDir, 'weights.bin'));
    const files = await layersModelFilesFrom([named('model.json', json), named('sub/weights.bin', weights)]);
    expect(hex((await exportInBrowser(files, FIXED)).bytes)).toBe(hex(fromFolder));
  });

  it('a model.json URL, its shards fetched relative to it', async () => {
    const server = createServer((req, res) => {
      void readFile(join(modelDir, req.url!.slice(1))).then(
        (body) => res.end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(hex((await exportModel(`${base}/model.json`, FIXED)).bytes)).toBe(hex(fromFolder));
      await expect(exportModel(`${base}/nope/model.json`)).rejects.toThrow(`${base}/nope/model.json: could not fetch the model.json: HTTP 404`);
    } finally {
      server.close();
    }
  });

  it('records a source hash of the content, recomputed here from model.json and weights.bin', async () => {
    const json = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[] };
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    const head = JSON.stringify(sorted({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) })) + '\n';
    const expected = createHash('sha256').update(head).update(await readFile(join(modelDir, 'weights.bin'))).digest('hex');
    expect(readOnnxMetadataProps(fromFolder)['ecg.source_sha256']).toBe(expected);
  });
});

describe('files picked in a page: what is wrong is said', () => {
  it('needs exactly one model.json, and names a missing shard and the files it has', async () => {
    await expect(layersModelFilesFrom([named('weights.bin', new Uint8Array(4))])).rejects.toThrow(/exactly one model\.json among the files, got none/);
    await expect(layersModelFilesFrom([named('a.json', new Uint8Array(2)), named('b.json', new Uint8Array(2))])).rejects.toThrow(/got a\.json, b\.json/);
    const json = await readFile(join(modelDir, 'model.json'));
    const files = await layersModelFilesFrom([named('model.json', json), named('other.bin', new Uint8Array(4))]);
    await expect(exportInBrowser(files)).rejects.toThrow('weights.bin: weights shard listed in model.json is missing; add it to the files (have: other.bin)');
  });

  it('rejects something that is no model at all', async () => {
    await expect(exportInBrowser({ hello: 1 } as never)).rejects.toThrow(/must be a tf\.LayersModel, tf\.io\.ModelArtifacts/);
  });
});

describe('SHA-256 without node:crypto', () => {
  it('the plain implementation and Web Crypto both equal node:crypto, across block boundaries', async () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
      const data = new Uint8Array(randomBytes(n));
      expect(sha256HexPlain(data), `${n} bytes`).toBe(hex(data));
      expect(await sha256Hex(data), `${n} bytes`).toBe(hex(data));
    }
    expect(sha256HexPlain(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('the version written into every file', () => {
  it("is the exporter package's version", async () => {
    const pkg = JSON.parse(await readFile('export/package.json', 'utf8')) as { version: string };
    expect(EXPORTER_VERSION).toBe(pkg.version);
  });
});

