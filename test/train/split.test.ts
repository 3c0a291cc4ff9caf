// The validation protocol: stratified, seeded, disjoint and complete; 'full' trains on everything.
import { describe, expect, it } from 'vitest';
import { splitForProtocol, stratifiedSplit } from '../../train/split.js';

// ECG5000 TRAIN's class counts.
const labels = Int32Array.from([...Array(292).fill(0), ...Array(177).fill(1), ...Array(10).fill(2), ...Array(19).fill(3), ...Array(2).fill(4)]);
const countsOf = (idx: number[]) => idx.reduce((c, i) => (c[labels[i]!]! += 1, c), [0, 0, 0, 0, 0]);

describe('stratifiedSplit', () => {
  it('holds out 20% of every class (at least one row of a class with 2+ rows)', () => {
    const s = stratifiedSplit(labels, 0.2, 7);
    expect(s.validation.length).toBe(100);
    expect(s.train.length).toBe(400);
    expect(countsOf(s.validation)).toEqual([58, 35, 2, 4, 1]);
    expect(countsOf(s.train)).toEqual([234, 142, 8, 15, 1]);
  });

  it('is a partition of the rows: disjoint, complete, sorted', () => {
    const s = stratifiedSplit(labels, 0.2, 3);
    const all = [...s.train, ...s.validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    expect(s.train).toEqual([...s.train].sort((a, b) => a - b));
  });

  it('repeats for a seed and differs between seeds', () => {
    expect(stratifiedSplit(labels, 0.2, 11)).toEqual(stratifiedSplit(labels, 0.2, 11));
    expect(stratifiedSplit(labels, 0.2, 11).validation).not.toEqual(stratifiedSplit(labels, 0.2, 12).validation);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => stratifiedSplit(labels, 0, 1)).toThrow(/validation fraction/);
    expect(() => stratifiedSplit(labels, 1, 1)).toThrow(/validation fraction/);
  });
});

describe('splitForProtocol', () => {
  it("'full' trains on every row with no validation; 'holdout' is the stratified split", () => {
    const full = splitForProtocol('full', labels, 0.2, 1);
    expect(full.train.length).toBe(500);
    expect(full.validation).toEqual([]);
    expect(splitForProtocol('holdout', labels, 0.2, 1)).toEqual(stratifiedSplit(labels, 0.2, 1));
  });
});
