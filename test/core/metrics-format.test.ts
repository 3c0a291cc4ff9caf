// formatReport's exact layout (column widths, padding, percentages, matrix header) on two small
// hand-checked reports, and the metrics' degenerate cases: no classes, a tie for argmax, a one-class row.
import { describe, expect, it } from 'vitest';
import { argmax, formatReport, reportFromConfusionMatrix } from '../../core/metrics.js';

describe('formatReport layout', () => {
  it('pads names to the longest (at least "class"), percentages to 6, supports to 7', () => {
    // N: precision 3/3, recall 3/4, F1 6/7; Premature: 12/13, 12/12, F1 24/25; accuracy 15/16; macro F1 (6/7 + 24/25) / 2.
    const r = reportFromConfusionMatrix(
      [
        [3, 1],
        [0, 12],
      ],
      [
        { label: '1', name: 'N' },
        { label: '2', name: 'Premature' },
      ],
    );
    expect(formatReport(r).split('\n')).toEqual([
      'accuracy 93.75%   macro F1 0.9086',
      '',
      'label  class      precision  recall      f1  support',
      '1      N             100.00   75.00   85.71        4',
      '2      Premature      92.31  100.00   96.00       12',
      '',
      'confusion matrix (rows: true label, columns: predicted label)',
      '           1     2',
      '1          3     1',
      '2          0    12',
    ]);
  });

  it('widens the matrix columns to the longest count + 1 (at least 6); names shorter than "class" pad to 5', () => {
    const r = reportFromConfusionMatrix(
      [
        [123456, 1],
        [0, 2],
      ],
      [
        { label: '1', name: 'A' },
        { label: '22', name: 'B' },
      ],
    );
    expect(formatReport(r).split('\n')).toEqual([
      'accuracy 100.00%   macro F1 0.9000',
      '',
      'label  class  precision  recall      f1  support',
      '1      A         100.00  100.00  100.00   123457',
      '22     B          66.67  100.00   80.00        2',
      '',
      'confusion matrix (rows: true label, columns: predicted label)',
      '            1     22',
      '1      123456      1',
      '22          0      2',
    ]);
  });
});

describe('degenerate metrics', () => {
  it('no classes at all: accuracy and macro F1 are 0, not NaN', () => {
    const r = reportFromConfusionMatrix([], []);
    expect(r.accuracy).toBe(0);
    expect(r.macroF1).toBe(0);
    expect(r.perClass).toEqual([]);
  });

  it('a single class scored perfectly has macro F1 1', () => {
    expect(reportFromConfusionMatrix([[4]], [{ label: '1', name: 'A' }]).macroF1).toBe(1);
  });

  it('argmax of one value is 0; a later strictly larger value wins; width limits the row', () => {
    expect(argmax([5])).toBe(0);
    expect(argmax([1, 2, 3])).toBe(2);
    expect(argmax([1, 2, 3], 0, 2)).toBe(1);
    expect(argmax([9, 1, 2, 3], 1, 2)).toBe(1);
  });
});
