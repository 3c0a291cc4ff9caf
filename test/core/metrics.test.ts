// Classification metrics against confusion matrices worked out by hand: precision over the predicted
// column, recall over the true row, zero-support and never-predicted classes scored 0 (scikit-learn's
// zero_division=0), macro F1 over every class, and the matrix's orientation (rows = truth).
import { describe, expect, it } from 'vitest';
import { argmax, classificationReport, confusionMatrix, formatReport, reportFromConfusionMatrix } from '../../core/metrics.js';

const CLASSES = ['A', 'B', 'C', 'D'].map((name, i) => ({ label: String(i + 1), name }));

// cm[true][predicted]. A and B are ordinary; C has no true beats (zero support) but is predicted once;
// D has two true beats and is never predicted.
const CM = [
  [5, 1, 0, 0], // A: 6 true, 5 right
  [2, 3, 1, 0], // B: 6 true, 3 right
  [0, 0, 0, 0], // C: 0 true
  [1, 0, 1, 0], // D: 2 true, none right, column D empty
];

describe('reportFromConfusionMatrix on a hand-worked 4-class matrix', () => {
  const r = reportFromConfusionMatrix(CM, CLASSES);

  it('precision = tp / column sum, recall = tp / row sum (not swapped)', () => {
    // A: column A = 5 + 2 + 0 + 1 = 8 predicted A, 5 right; row A = 6.
    expect(r.perClass[0]!.precision).toBeCloseTo(5 / 8, 12);
    expect(r.perClass[0]!.recall).toBeCloseTo(5 / 6, 12);
    // B: column B = 1 + 3 = 4, 3 right; row B = 6.
    expect(r.perClass[1]!.precision).toBeCloseTo(3 / 4, 12);
    expect(r.perClass[1]!.recall).toBeCloseTo(3 / 6, 12);
  });

  it('F1 = 2 tp / (2 tp + fp + fn) per class, macro F1 averages all four classes', () => {
    expect(r.perClass[0]!.f1).toBeCloseTo(10 / (10 + 3 + 1), 12); // 5/7
    expect(r.perClass[1]!.f1).toBeCloseTo(6 / (6 + 1 + 3), 12); // 0.6
    expect(r.macroF1).toBeCloseTo((5 / 7 + 0.6 + 0 + 0) / 4, 12);
  });

  it('a zero-support class and a never-predicted class score 0, not NaN', () => {
    const [, , c, d] = r.perClass;
    expect(c).toEqual({ label: '3', name: 'C', precision: 0, recall: 0, f1: 0, support: 0 }); // predicted once, wrongly
    expect(d).toEqual({ label: '4', name: 'D', precision: 0, recall: 0, f1: 0, support: 2 }); // column D empty
  });

  it('accuracy = trace / total; supports are the row sums', () => {
    expect(r.accuracy).toBeCloseTo(8 / 14, 12);
    expect(r.perClass.map((c) => c.support)).toEqual([6, 6, 0, 2]);
    expect(r.confusionMatrix).toBe(CM);
  });

  it('a 2-class matrix: precision and recall differ per class', () => {
    const p = reportFromConfusionMatrix(
      [
        [3, 0],
        [1, 4],
      ],
      CLASSES.slice(0, 2),
    );
    expect(p.perClass[0]).toMatchObject({ precision: 3 / 4, recall: 1, support: 3 });
    expect(p.perClass[1]).toMatchObject({ precision: 1, recall: 4 / 5, support: 5 });
    expect(p.perClass[1]!.f1).toBeCloseTo(8 / 9, 12);
    expect(p.accuracy).toBeCloseTo(7 / 8, 12);
  });

  it('an empty matrix: accuracy 0 and every metric 0, no division by zero', () => {
    const e = reportFromConfusionMatrix(
      [
        [0, 0],
        [0, 0],
      ],
      CLASSES.slice(0, 2),
    );
    expect(e.accuracy).toBe(0);
    expect(e.macroF1).toBe(0);
    expect(e.perClass.every((c) => c.precision === 0 && c.recall === 0 && c.f1 === 0)).toBe(true);
  });
});

describe('confusionMatrix / classificationReport from rows', () => {
  // The same matrix as CM, as 14 (truth, predicted) pairs (0-based classes).
  const pairs: [number, number][] = [
    ...Array<[number, number]>(5).fill([0, 0]),
    [0, 1],
    [1, 0],
    [1, 0],
    ...Array<[number, number]>(3).fill([1, 1]),
    [1, 2],
    [3, 0],
    [3, 2],
  ];
  const truth = pairs.map((p) => p[0]);
  const predicted = pairs.map((p) => p[1]);

  it('counts rows = truth, columns = predicted', () => {
    expect(confusionMatrix(truth, predicted, 4)).toEqual(CM);
    // Orientation: one beat of class 1 predicted as 2 lands in row 0, column 1.
    expect(confusionMatrix([0], [1], 2)).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });

  it('classificationReport equals the report of the hand-built matrix', () => {
    const r = classificationReport(truth, predicted, CLASSES);
    expect(r.confusionMatrix).toEqual(CM);
    expect(r.perClass.map((c) => [c.precision, c.recall])).toEqual([
      [5 / 8, 5 / 6],
      [3 / 4, 1 / 2],
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('argmax', () => {
  it('the first of equal maxima; offset and width select one row of a flat batch', () => {
    expect(argmax([0.1, 0.7, 0.7, 0.2])).toBe(1);
    expect(argmax([3, 1, 2])).toBe(0);
    const flat = [0.9, 0.1, 0, 0.2, 0.3, 0.5];
    expect(argmax(flat, 3, 3)).toBe(2);
    expect(argmax(flat, 0, 3)).toBe(0);
  });
});

describe('formatReport', () => {
  it('prints percentages of the hand-worked values and the matrix rows by true label', () => {
    const text = formatReport(reportFromConfusionMatrix(CM, CLASSES));
    expect(text).toContain(`accuracy ${((100 * 8) / 14).toFixed(2)}%   macro F1 ${((5 / 7 + 0.6) / 4).toFixed(4)}`);
    const rowA = text.split('\n').find((l) => l.startsWith('1      A'))!;
    expect(rowA.trim().split(/\s+/)).toEqual(['1', 'A', '62.50', '83.33', '71.43', '6']);
    const cmRowD = text.split('\n').filter((l) => l.startsWith('4 '));
    expect(cmRowD.at(-1)!.trim().split(/\s+/)).toEqual(['4', '1', '0', '1', '0']);
  });
});
