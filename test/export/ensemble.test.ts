// An ensemble folder (ecg train --ensemble) exported as ONE .onnx: its output is the mean of the
// members' TF.js outputs (<= 1e-5), it passes onnx.checker, and the runtimes use it unchanged.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxMetadataProps } from '../../core/metadata.js';
import { decodeModel, exportEnsembleOf, ENSEMBLE_MEMBERS_KEY } from '../../export/index.js';
import { exportModel } from '../../export/node.js';
import { parityRuntimes, runParity } from '../../parity/index.js';
import { load } from '../../runtime-node/index.js';
import { load as loadWeb } from '../../runtime-web/index.js';
import { initBackend } from '../../train/backend.js';
import { trainEnsemble } from '../../train/ensemble.js';
import { loadEnsemble } from '../../train/ensemble-model.js';
import { resolveRecipe } from '../../train/options.js';
import { loadTrainedModel } from '../../train/save.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { onnxCheck, ortPredict } from './fixtures.js';

let tmp: string;
let ensembleDir: string;
const beats = Array.from({ length: 24 }, (_, i) => Float32Array.from({ length: 140 }, (_, t) => Math.sin((t + 3 * i) / 6) * (1 + i / 24)));
const packed = new Float32Array(beats.length * 140);
beats.forEach((b, i) => packed.set(b, i * 140));

beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(join(tmpdir(), 'ecg-ensemble-'));
  const data = join(tmp, 'data');
  await mkdir(data);
  const lines = (await readFile('data/ECG5000/ECG5000_TRAIN.tsv', 'utf8')).trim().split('\n');
  const of = (label: string, n: number) => lines.filter((l) => l.split('\t')[0] === label).slice(0, n);
  await writeFile(join(data, 'ECG5000_TRAIN.tsv'), [...of('1', 20), ...of('2', 20), ...of('4', 8)].join('\n') + '\n');
  await writeFile(join(data, 'ECG5000_TEST.tsv'), [...of('1', 26).slice(20), ...of('2', 26).slice(20)].join('\n') + '\n');
  ensembleDir = join(tmp, 'ensemble');
  await trainEnsemble({ ...resolveRecipe('paper', { epochs: 1, batchSize: 16 }), dataDir: data, outDir: ensembleDir, seed: 7, backend: 'wasm', preset: 'paper', workers: 1 }, 3, { figures: false });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('an ensemble as one .onnx', () => {
  it('averages the members: equal to the mean of their TF.js outputs, one Mean node, a checker-valid file', async () => {
    const { bytes, summary } = await exportModel(ensembleDir, { exportedAt: '2026-01-01T00:00:00.000Z' });
    const reference = await loadEnsemble(ensembleDir);
    try {
      assertClose(await ortPredict(bytes, packed, [beats.length, 140, 1]), reference.predict(packed, beats.length), TOLERANCES.onnxAbs, 'ensemble probabilities');
    } finally {
      reference.dispose();
    }
    const m = decodeModel(bytes);
    expect(m.nodesByOp.Mean).toBe(1);
    expect(m.nodesByOp.GRU).toBe(3);
    expect(m.inputs.map((i) => i.name)).toEqual(['beats']);
    expect(m.outputs.map((o) => o.name)).toEqual(['probabilities']);
    expect(summary.nodes).toBe(m.nodes.length);
    const props = readOnnxMetadataProps(bytes);
    expect(props[ENSEMBLE_MEMBERS_KEY]).toBe('3');
    expect(Number(props['ecg.test_accuracy'])).toBe(JSON.parse(await readFile(join(ensembleDir, 'metrics.json'), 'utf8')).test.accuracy);
    const file = join(tmp, 'ensemble.onnx');
    await writeFile(file, bytes);
    onnxCheck(file);
  });

  it('runs unchanged on onnxruntime-node and onnxruntime-web', async () => {
    const { bytes } = await exportModel(ensembleDir);
    const node = await load(bytes, { device: 'cpu' });
    const web = await loadWeb(bytes, { provider: 'wasm' });
    try {
      const [a, b] = [await node.classify(beats), await web.classify(beats)];
      assertClose(a.flatMap((p) => p.probabilities), b.flatMap((p) => p.probabilities), TOLERANCES.onnxAbs, 'node vs web');
      expect(node.metadata.classes.map((c) => c.label)).toEqual(['1', '2', '4']);
    } finally {
      await node.dispose();
      await web.dispose();
    }
  });

  it('ecg parity takes the ensemble folder as the TF.js reference (the mean of its members)', async () => {
    const file = join(tmp, 'parity.onnx');
    await writeFile(file, (await exportModel(ensembleDir)).bytes);
    const report = await runParity({ model: ensembleDir, onnx: file, data: join(tmp, 'data', 'ECG5000_TEST.tsv'), backend: 'wasm', runtimes: parityRuntimes(['cpu']) });
    const node = report.rows.find((r) => r.runtime === 'onnxruntime-node CPU')!;
    expect(node.maxAbsDiff).toBeLessThanOrEqual(TOLERANCES.onnxAbs);
    expect(node.argmaxAgree).toBe(report.n);
  });

  it('exportEnsembleOf takes in-memory models too, and refuses a single member', async () => {
    const members = await Promise.all([0, 1].map((k) => loadTrainedModel(join(ensembleDir, 'members', String(k), 'model'))));
    const { bytes } = await exportEnsembleOf(members.map((m) => m.model));
    expect(decodeModel(bytes).nodesByOp.Mean).toBe(1);
    await expect(exportEnsembleOf([members[0]!.model])).rejects.toThrow(/an ensemble needs at least 2 members, got 1/);
    members.forEach((m) => m.model.dispose());
  });
});
