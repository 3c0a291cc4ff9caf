// What `ecg train` leaves under --out, checked on the shared real trained model: every file, the
// metrics fields, a model that reloads with one call and scores exactly what metrics.json says.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/backend.js';
import { loadUcrSplit } from '../../train/data.js';
import { evaluateModel } from '../../train/evaluate.js';
import type { EpochRecord } from '../../train/fit.js';
import { OUTPUT_FILES, type TrainMetrics } from '../../train/run.js';
import { loadTrainedModel } from '../../train/save.js';
import { getTrainedRun, type TrainedRun } from '../helpers/trained-model.js';
import { ECG_FROM_SOURCE } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
let run: TrainedRun;
let metrics: TrainMetrics;

beforeAll(async () => {
  run = await getTrainedRun();
  metrics = JSON.parse(await readFile(join(run.runDir, OUTPUT_FILES.metrics), 'utf8')) as TrainMetrics;
  await initBackend('wasm');
});

describe('ecg train outputs', () => {
  it('metrics.json has the fields the issue lists, describing the paper model', () => {
    expect(metrics.params).toEqual({ total: 743_109, trainable: 742_789, nonTrainable: 320 });
    expect(metrics.backend).toBe('wasm');
    expect(metrics.seed).toBe(1);
    expect(metrics.epochs).toBe(10);
    expect(metrics.preset).toBe('paper'); // + flags: --split full --schedule cosine --bn-momentum 0.9
    expect(metrics.trainSamplesPerSecond).toBeGreaterThan(0);
    expect(metrics.data).toMatchObject({ trainCount: 500, validationCount: 0, testCount: 4500 }); // --split full
    const t = metrics.test;
    expect(t.perClass.map((c) => c.support)).toEqual([2627, 1590, 86, 175, 22]);
    expect(Object.keys(t.perClass[0]!).sort()).toEqual(['f1', 'label', 'name', 'precision', 'recall', 'support']);
    expect(t.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(4500);
    // The recipe of TRAINED_MODEL_ARGS scores 91.1%; always answering "Normal" scores 58.4% (2627/4500),
    // so a floor at 0.90 fails when training breaks, not only when it learns nothing.
    expect(t.accuracy).toBeGreaterThanOrEqual(0.9);
    for (let k = 0; k < 5; k++) expect(t.confusionMatrix.reduce((n, row) => n + row[k]!, 0), `beats predicted as class ${k + 1}`).toBeGreaterThan(0);
  });

  it('history.json has one record per epoch; without a validation set (--split full) the last epoch is kept', async () => {
    // Best-validation-epoch selection is tested in fit.test.ts on a run whose best epoch is not the last.
    const history = JSON.parse(await readFile(join(run.runDir, OUTPUT_FILES.history), 'utf8')) as EpochRecord[];
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const h of history) for (const k of ['loss', 'accuracy', 'learningRate'] as const) expect(Number.isFinite(h[k])).toBe(true);
    expect(history.every((h) => h.valLoss === null && h.valAccuracy === null)).toBe(true);
    expect(history.every((h) => !('seconds' in h))).toBe(true); // times live in metrics.json, so history.json repeats for a seed
    expect(history.at(-1)!.learningRate).toBeLessThan(history[0]!.learningRate / 10); // cosine decay
    expect(metrics.epochSeconds).toHaveLength(10);
    expect(metrics.epochSeconds.reduce((a, b) => a + b, 0)).toBeCloseTo(metrics.trainSeconds, 6);
    expect(metrics.bestEpoch).toBe(10);
    expect(metrics.validation).toBeNull();
  });

  it('prints a Table 1 style model table: 25 rows from the input to the softmax, 743,109 params', async () => {
    const log = await readFile(`${run.runDir}.log`, 'utf8');
    expect(log).toMatch(/^\s+0\s+InputLayer\s+\(N,140,1\)\s+0$/m);
    expect(log).toMatch(/^\s+1\s+Conv1D\s+\(N,47,128\)\s+6,528$/m);
    expect(log).toMatch(/^\s+20\s+ResetAfterGRU\s+\(N,128\)\s+246,528$/m);
    expect(log).toMatch(/^\s+24\s+Dense\s+\(N,5\)\s+2,565$/m);
    expect(log).toContain('total params 743,109 (trainable 742,789, non-trainable 320)');
  });

  it('writes both figures as PNG images', async () => {
    for (const name of [OUTPUT_FILES.lossFigure, OUTPUT_FILES.confusionFigure]) {
      const png = await readFile(join(run.runDir, name));
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBeGreaterThan(400); // width
    }
  });

  it('the model reloads with one call and scores exactly the saved test report', async () => {
    const { model, spec } = await loadTrainedModel(run.modelDir);
    expect(spec).toEqual(metrics.spec);
    expect(model.countParams()).toBe(743_109);
    const data = await loadUcrSplit('data/ECG5000');
    const report = evaluateModel(model, data.test, spec!);
    model.dispose();
    expect(report.confusionMatrix).toEqual(metrics.test.confusionMatrix);
  });

  it('ecg eval --json reports the same accuracy', () => {
    const r = spawnSync(process.execPath, [...ECG_FROM_SOURCE, 'eval', '--model', run.modelDir, '--backend', 'wasm', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as TrainMetrics['test'];
    expect(report.accuracy).toBe(metrics.test.accuracy);
    expect(report.confusionMatrix).toEqual(metrics.test.confusionMatrix);
  });
});
