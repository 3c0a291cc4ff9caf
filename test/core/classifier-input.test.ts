// The classifier contract without a runtime: packBeats validates and packs row-major, toPredictions
// labels each output row by its argmax, classifyInBatches splits at maxBatch and keeps input order.
import { describe, expect, it } from 'vitest';
import { classifyInBatches, packBeats, toPredictions } from '../../core/classifier.js';
import { InvalidInputError } from '../../core/errors.js';
import type { ModelMetadata } from '../../core/metadata.js';
import { thrown } from '../helpers/thrown.js';

const META: ModelMetadata = {
  classes: [
    { label: '1', name: 'Normal' },
    { label: '2', name: 'PVC' },
    { label: '5', name: 'Other' },
  ],
  inputLength: 2,
  channels: 2,
  inputName: 'beats',
  outputName: 'probabilities',
  output: 'class probabilities',
  raw: {},
};

const inputError = (fn: () => unknown) => thrown(fn, InvalidInputError);

describe('packBeats', () => {
  it('packs beats of inputLength x channels values one after another', () => {
    const packed = packBeats([[1, 2, 3, 4], new Float32Array([5, 6, 7, 8])], META);
    expect(packed).toBeInstanceOf(Float32Array);
    expect(Array.from(packed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses a non-array and an empty batch', () => {
    expect(inputError(() => packBeats('1,2,3,4' as unknown as number[][], META)).message).toBe('expected an array of beats');
    expect(inputError(() => packBeats([], META)).message).toBe('empty batch: pass at least one beat');
  });

  it.each([[null], [7], ['abcd'], [{}]])('refuses beat %j that is not an array of numbers, naming its index', (bad) => {
    const e = inputError(() => packBeats([[0, 0, 0, 0], bad as unknown as number[]], META));
    expect(e.index).toBe(1);
    expect(e.message).toBe('beat 1: expected an array of numbers');
  });

  it('refuses a beat of the wrong size, saying samples x channels', () => {
    expect(inputError(() => packBeats([[1, 2, 3]], META)).message).toBe('beat 0: expected 4 values (2 samples x 2 channels), got 3');
    expect(() => packBeats([[1, 2, 3, 4, 5]], META)).toThrow(/got 5/);
  });

  it('refuses NaN, infinities and non-numbers, naming the value index', () => {
    expect(inputError(() => packBeats([[1, 2, 3, NaN]], META)).message).toBe('beat 0: value 3 is NaN; expected a finite number');
    expect(inputError(() => packBeats([[1, 2, 3, 4], [Infinity, 0, 0, 0]], META)).message).toBe('beat 1: value 0 is Infinity; expected a finite number');
    expect(inputError(() => packBeats([[1, '2', 3, 4] as unknown as number[]], META)).message).toBe('beat 0: value 1 is string; expected a finite number');
  });
});

describe('toPredictions', () => {
  it('one prediction per row: argmax class, its label and name, the row as probabilities', () => {
    const out = new Float32Array([0.1, 0.2, 0.7, 0.5, 0.25, 0.25]);
    expect(toPredictions(out, 2, META)).toEqual([
      { label: '5', name: 'Other', classIndex: 2, probabilities: [Math.fround(0.1), Math.fround(0.2), Math.fround(0.7)] },
      { label: '1', name: 'Normal', classIndex: 0, probabilities: [0.5, 0.25, 0.25] },
    ]);
  });
});

describe('classifyInBatches', () => {
  it('runs at most maxBatch beats at a time, in order, with the right slice of the packed input', async () => {
    const beats = [0, 1, 2, 3, 4].map((i) => [i, i, i, i]);
    const calls: { n: number; first: number[] }[] = [];
    // The fake model puts all probability on class (first value mod 3).
    const preds = await classifyInBatches(beats, META, 2, async (packed, n) => {
      calls.push({ n, first: Array.from(packed.subarray(0, 1)) });
      expect(packed.length).toBe(n * 4);
      const out = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) out[i * 3 + (packed[i * 4]! % 3)] = 1;
      return out;
    });
    expect(calls).toEqual([
      { n: 2, first: [0] },
      { n: 2, first: [2] },
      { n: 1, first: [4] },
    ]);
    expect(preds.map((p) => p.classIndex)).toEqual([0, 1, 2, 0, 1]);
  });

  it('validates every beat before running anything', async () => {
    let ran = false;
    await expect(
      classifyInBatches([[0, 0, 0, 0], [1]], META, 1, async () => {
        ran = true;
        return new Float32Array(3);
      }),
    ).rejects.toThrow('beat 1: expected 4 values');
    expect(ran).toBe(false);
  });
});
