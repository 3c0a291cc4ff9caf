// ecg tune's result cache: a stored score comes back for exactly its key (whatever the key's field
// order), never for another recipe, seed, fold count or data; the file is written whole.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRecipe } from '../../train/options.js';
import { cacheFileName, readCached, writeCached, type CvKey } from '../../train/tune-cache.js';
import type { CvScore } from '../../train/cross-validation.js';

const key: CvKey = { data: 'abc', recipe: resolveRecipe('cv'), folds: 5, seed: 1, workers: 2, backend: 'wasm', members: 1 };
const score: CvScore = { accuracy: 0.954, macroF1: 0.63, nll: 0.2, foldAccuracies: [0.95, 0.96], oof: [Float32Array.from([0.25, 0.75, 0.5, 0.5])] };

describe('tune cache', () => {
  it('returns the stored score for the same key, with its out-of-fold probabilities', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tune-cache-'));
    await writeCached(dir, key, score);
    const reordered = Object.fromEntries(Object.entries(key).reverse()) as unknown as CvKey;
    const back = await readCached(dir, reordered);
    expect(back).toEqual(score);
    expect(back!.oof[0]).toBeInstanceOf(Float32Array);
    expect(await readdir(dir)).toEqual([cacheFileName(key)]);
  });

  it('misses on any other recipe, seed, fold count, worker count, member count or data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tune-cache-'));
    await writeCached(dir, key, score);
    const others: CvKey[] = [
      { ...key, recipe: { ...key.recipe, dropout: 0.5 } },
      { ...key, recipe: { ...key.recipe, augment: { ...key.recipe.augment, noise: 0.1 } } },
      { ...key, seed: 2 },
      { ...key, folds: 4 },
      { ...key, workers: 1 },
      { ...key, members: 5 },
      { ...key, data: 'abd' },
    ];
    for (const other of others) expect(await readCached(dir, other)).toBeUndefined();
  });

  it('ignores a file whose stored key is not the one asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tune-cache-'));
    await writeFile(join(dir, cacheFileName(key)), JSON.stringify({ key: { ...key, seed: 9 }, score: { ...score, oof: [[0.5, 0.5]] } }));
    expect(await readCached(dir, key)).toBeUndefined();
  });
});
