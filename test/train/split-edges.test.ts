// The stratified split at its edges: one-row classes never go to validation, a class of 2+ rows always
// gives one, a class is never emptied; classes are drawn in numeric order (so 2 before 10); bad fractions named.
import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from '../../core/random.js';
import { splitForProtocol, stratifiedSplit } from '../../train/split.js';

const countOf = (labels: number[], idx: number[], k: number) => idx.filter((i) => labels[i] === k).length;

describe('stratifiedSplit edges', () => {
  it('a one-row class stays in training even when rounding would take it', () => {
    const labels = [0, 0, 0, 0, 1];
    const s = stratifiedSplit(labels, 0.5, 1); // class 1: round(0.5) = 1 = all its rows -> 0
    expect(countOf(labels, s.validation, 1)).toBe(0);
    expect(countOf(labels, s.train, 1)).toBe(1);
    expect(countOf(labels, s.validation, 0)).toBe(2);
  });

  it('a class of two rows gives one to validation even when rounding gives none', () => {
    const labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const s = stratifiedSplit(labels, 0.1, 4); // class 0: round(0.2) = 0 -> 1; class 1: round(1) = 1
    expect(countOf(labels, s.validation, 0)).toBe(1);
    expect(countOf(labels, s.validation, 1)).toBe(1);
  });

  it('a large fraction never empties a class of training rows', () => {
    const labels = [0, 0, 0, 1, 1];
    const s = stratifiedSplit(labels, 0.9, 2); // class 0: round(2.7) = 3 -> 2; class 1: round(1.8) = 2 -> 1
    expect(countOf(labels, s.validation, 0)).toBe(2);
    expect(countOf(labels, s.validation, 1)).toBe(1);
    expect(s.train.length).toBe(2);
  });

  it('draws the classes in numeric label order from one seeded stream', () => {
    // Labels 10 and 2: a lexical order would shuffle class 10 first and give another split.
    const labels = [10, 10, 10, 10, 2, 2, 2, 2, 2, 2];
    const rng = createRng(5);
    const two = shuffleInPlace([4, 5, 6, 7, 8, 9], rng);
    const ten = shuffleInPlace([0, 1, 2, 3], rng);
    const expected = [...two.slice(0, 3), ...ten.slice(0, 2)].sort((a, b) => a - b);
    expect(stratifiedSplit(labels, 0.5, 5).validation).toEqual(expected);
  });

  it('returns ascending lists even for rows that arrive out of order', () => {
    const labels = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
    const s = stratifiedSplit(labels, 0.4, 9);
    expect(s.train).toEqual([...s.train].sort((a, b) => a - b));
    expect(s.validation).toEqual([...s.validation].sort((a, b) => a - b));
    expect(s.validation.length).toBe(4);
  });

  it.each([[0], [1], [-0.2], [1.5], [NaN]])('refuses fraction %s with the value in the message', (f) => {
    expect(() => stratifiedSplit([0, 1], f, 1)).toThrow(`validation fraction must be between 0 and 1 (exclusive), got ${f}`);
  });

  it("'full' lists every row in order", () => {
    expect(splitForProtocol('full', [3, 1, 2], 0.5, 1)).toEqual({ train: [0, 1, 2], validation: [] });
  });
});
