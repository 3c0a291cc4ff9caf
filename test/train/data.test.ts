// Loading a UCR directory: spec from the data (any length, any classes), both layouts, and clear
// errors for missing files and test labels the training file never had.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../core/errors.js';
import { loadUcrSplit, selectRows } from '../../train/data.js';

const dirs: string[] = [];
async function dataDir(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-data-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const rows = (labels: string[], length: number) => labels.map((l, i) => [l, ...Array.from({ length }, (_, j) => (i + j) / 10)].join('\t')).join('\n') + '\n';

describe('loadUcrSplit', () => {
  it('builds the spec from the data: 7 samples, 3 classes sorted numerically, generic names off ECG5000', async () => {
    const dir = await dataDir({ 'TOY_TRAIN.tsv': rows(['10', '2', '1', '2'], 7), 'TOY_TEST.tsv': rows(['1', '10'], 7) });
    const split = await loadUcrSplit(dir);
    expect(split.spec.inputLength).toBe(7);
    expect(split.spec.classes.map((c) => c.label)).toEqual(['1', '2', '10']);
    // Labels 1 and 2 are ECG5000's, but this is not ECG5000: its names must not leak onto other data.
    expect(split.spec.classes.map((c) => c.name)).toEqual(['class 1', 'class 2', 'class 10']);
    expect(Array.from(split.train.y)).toEqual([2, 1, 0, 1]);
    expect(Array.from(split.test.y)).toEqual([0, 2]);
    expect(split.train.x.length).toBe(4 * 7);
    expect(split.train.x[7]).toBeCloseTo(0.1, 6); // row 1, sample 0
  });

  it('reads the older .txt layout and gzip-compressed files', async () => {
    const dir = await dataDir({ 'A_TRAIN.txt': '  1.0e+00  1.5e+00 -2.0e+00\n  2.0e+00  0.0e+00  1.0e+00\n', 'A_TEST.txt.gz': gzipSync('1 3 4\n') });
    const split = await loadUcrSplit(dir);
    expect(split.spec.inputLength).toBe(2);
    expect(Array.from(split.train.x)).toEqual([1.5, -2, 0, 1]);
    expect(Array.from(split.test.x)).toEqual([3, 4]);
  });

  it('rejects a test label the training file does not have, naming the test file and line', async () => {
    const dir = await dataDir({ 'B_TRAIN.tsv': rows(['1', '2'], 3), 'B_TEST.tsv': rows(['1', '3'], 3) });
    await expect(loadUcrSplit(dir)).rejects.toThrow(/B_TEST\.tsv:2 field 1: unknown label "3"/);
  });

  it('rejects a test file whose length differs from training', async () => {
    const dir = await dataDir({ 'C_TRAIN.tsv': rows(['1', '2'], 3), 'C_TEST.tsv': rows(['1'], 4) });
    await expect(loadUcrSplit(dir)).rejects.toThrow(/C_TEST\.tsv:1: expected 3 values/);
  });

  it('names what is missing: the directory, the TEST file, a single class', async () => {
    await expect(loadUcrSplit('/nonexistent/ecg')).rejects.toThrow(DataFormatError);
    const noTest = await dataDir({ 'D_TRAIN.tsv': rows(['1', '2'], 3) });
    await expect(loadUcrSplit(noTest)).rejects.toThrow(/no \*_TEST\.tsv/);
    const oneClass = await dataDir({ 'E_TRAIN.tsv': rows(['1', '1'], 3), 'E_TEST.tsv': rows(['1'], 3) });
    await expect(loadUcrSplit(oneClass)).rejects.toThrow(/at least 2 labels/);
  });

  it('reads the shipped ECG5000 split: 500/4500 series of 140 samples, 5 classes', async () => {
    const split = await loadUcrSplit('data/ECG5000');
    expect(split.train.count).toBe(500);
    expect(split.test.count).toBe(4500);
    expect(split.spec.inputLength).toBe(140);
    expect(split.spec.classes.map((c) => c.name)).toEqual(['Normal', 'R-on-T PVC', 'PVC', 'Supraventricular premature beat', 'Unclassified']);
    const counts = [0, 0, 0, 0, 0];
    split.train.y.forEach((k) => counts[k]!++);
    expect(counts).toEqual([292, 177, 10, 19, 2]);
  });

  it('uses ECG5000 names only for ECG5000: labels -1, 2, 7 elsewhere are "class <label>"', async () => {
    const dir = await dataDir({ 'MINE_TRAIN.tsv': rows(['-1', '2', '7', '2'], 140), 'MINE_TEST.tsv': rows(['7'], 140) });
    expect((await loadUcrSplit(dir)).spec.classes).toEqual([
      { label: '-1', name: 'class -1' },
      { label: '2', name: 'class 2' },
      { label: '7', name: 'class 7' },
    ]);
    // A file named ECG5000_* with 140 samples but a label ECG5000 does not have is not ECG5000 either.
    const odd = await dataDir({ 'ECG5000_TRAIN.tsv': rows(['1', '6'], 140), 'ECG5000_TEST.tsv': rows(['1'], 140) });
    expect((await loadUcrSplit(odd)).spec.classes.map((c) => c.name)).toEqual(['class 1', 'class 6']);
  });

  it('takes --class-names as names in label order or as label=name pairs', async () => {
    const dir = await dataDir({ 'MINE_TRAIN.tsv': rows(['-1', '2', '7'], 5), 'MINE_TEST.tsv': rows(['7'], 5) });
    expect((await loadUcrSplit(dir, 'noise, sinus ,ectopic')).spec.classes.map((c) => c.name)).toEqual(['noise', 'sinus', 'ectopic']);
    expect((await loadUcrSplit(dir, '7=ectopic,-1=noise')).spec.classes.map((c) => c.name)).toEqual(['noise', 'class 2', 'ectopic']);
    // Names override ECG5000's own.
    expect((await loadUcrSplit('data/ECG5000', 'N,R,V,S,Q')).spec.classes.map((c) => c.name)).toEqual(['N', 'R', 'V', 'S', 'Q']);
  });

  it('rejects --class-names that do not fit the data, saying what does', async () => {
    const dir = await dataDir({ 'MINE_TRAIN.tsv': rows(['-1', '2', '7'], 5), 'MINE_TEST.tsv': rows(['7'], 5) });
    await expect(loadUcrSplit(dir, 'a,b')).rejects.toThrow('--class-names has 2 names but the data has 3 classes (-1, 2, 7); give one per class in that order');
    await expect(loadUcrSplit(dir, '3=x')).rejects.toThrow('--class-names names label "3", which the data does not have; its labels are -1, 2, 7');
    await expect(loadUcrSplit(dir, '2=x,y,z')).rejects.toThrow(/mixes "label=name" pairs and plain names/);
    await expect(loadUcrSplit(dir, 'a,,b')).rejects.toThrow(/has an empty name/);
    await expect(loadUcrSplit(dir, '2=')).rejects.toThrow('--class-names gives label "2" an empty name');
  });
});

describe('selectRows', () => {
  it('copies the chosen rows and labels in the given order', () => {
    const beats = { x: Float32Array.from([0, 1, 10, 11, 20, 21]), y: Int32Array.from([0, 1, 2]), count: 3, length: 2 };
    const s = selectRows(beats, [2, 0]);
    expect(Array.from(s.x)).toEqual([20, 21, 0, 1]);
    expect(Array.from(s.y)).toEqual([2, 0]);
    s.x[0] = -1;
    expect(beats.x[4]).toBe(20);
  });
});
