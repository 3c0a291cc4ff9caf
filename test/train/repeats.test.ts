// Repeated k-fold in ecg tune: R cross-validations with their own fold seeds, scores averaged and
// out-of-fold predictions stacked for the temperature; each repeat is its own cache entry.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitTemperature } from '../../core/calibration.js';
import { combineRepeats, repeatedTruth, repeatSeed, type CvScore } from '../../train/cross-validation.js';
import { resolveRecipe } from '../../train/options.js';
import { writeCached } from '../../train/tune-cache.js';
import { tune } from '../../train/tune.js';

const score = (accuracy: number, macroF1: number, nll: number, folds: number[], oof: number[]): CvScore => ({ accuracy, macroF1, nll, foldAccuracies: folds, oof: [Float32Array.from(oof)] });

describe('repeated k-fold', () => {
  it('averages the repeats and stacks their out-of-fold rows in repeat order', () => {
    const a = score(0.9, 0.6, 0.3, [0.8, 1], [0.9, 0.1, 0.2, 0.8]);
    const b = score(0.7, 0.4, 0.5, [0.6, 0.8], [0.6, 0.4, 0.7, 0.3]);
    const both = combineRepeats([a, b]);
    expect(both.accuracy).toBeCloseTo(0.8, 12);
    expect(both.macroF1).toBeCloseTo(0.5, 12);
    expect(both.nll).toBeCloseTo(0.4, 12);
    expect(both.foldAccuracies).toEqual([0.8, 1, 0.6, 0.8]);
    expect(Array.from(both.oof[0]!)).toEqual(Array.from(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3])));
    expect(combineRepeats([a])).toBe(a);
    expect(Array.from(repeatedTruth([1, 0, 2], 2))).toEqual([1, 0, 2, 1, 0, 2]);
    expect(repeatSeed(7, 0)).toBe(7);
    expect(repeatSeed(7, 2)).toBe(207);
  });

  it('ecg tune --repeats 2 reads one result per fold seed and fits the temperature on all of their rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-repeats-'));
    const rows = ['1\t0\t1\t2\t3', '2\t3\t2\t1\t0', '1\t0\t1\t2\t2', '2\t3\t2\t1\t1'];
    await writeFile(join(dir, 'MINE_TRAIN.tsv'), rows.join('\n') + '\n');
    const data = createHash('sha256').update(await readFile(join(dir, 'MINE_TRAIN.tsv'))).digest('hex');
    const cache = join(dir, 'cache');
    const recipe = resolveRecipe('paper', { batchSize: 16 });
    const common = { data, recipe, folds: 2, workers: 1, backend: 'wasm', members: 1 };
    // Stored results stand in for training: with both repeats cached, tune trains nothing.
    const first = score(1, 1, 0.2, [1, 1], [0.8, 0.2, 0.3, 0.7, 0.9, 0.1, 0.4, 0.6]);
    const second = score(0.5, 0.4, 0.6, [0.5, 0.5], [0.4, 0.6, 0.3, 0.7, 0.6, 0.4, 0.6, 0.4]);
    await writeCached(cache, { ...common, seed: 3 }, first);
    await writeCached(cache, { ...common, seed: 103 }, second);
    const run = (repeats: number) => tune({ dataDir: dir, folds: 2, repeats, seed: 3, workers: 1, backend: 'wasm', ensemble: 0, cache, candidates: [{ name: 'paper', overrides: { batchSize: 16 } }] });
    const report = await run(2);
    expect(report.repeats).toBe(2);
    expect(report.winner.accuracy).toBeCloseTo(0.75, 12);
    expect(report.winner.foldAccuracies).toEqual([1, 1, 0.5, 0.5]);
    const stacked = Float32Array.from([...first.oof[0]!, ...second.oof[0]!]);
    expect(report.winner.temperature).toBe(fitTemperature([stacked], [0, 1, 0, 1, 0, 1, 0, 1], 2));
    expect(report.winner.temperature).not.toBe(fitTemperature(first.oof, [0, 1, 0, 1], 2));
    const plain = await run(1);
    expect(plain.winner.accuracy).toBe(1);
    expect(plain.winner.temperature).toBe(fitTemperature(first.oof, [0, 1, 0, 1], 2));
    expect(await readdir(cache)).toHaveLength(2); // nothing was trained, so nothing was added
  });
});
