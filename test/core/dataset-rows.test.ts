// The UCR row parser's remaining branches: explicit label-column modes, comma and semicolon
// separators, rows with nothing after the label, numeric-looking labels, "nan" spelled exactly,
// field numbers without a label column, and an empty file when the length is given.
import { describe, expect, it } from 'vitest';
import { parseSeriesLine, parseUcrText } from '../../core/dataset.js';
import { DataFormatError } from '../../core/errors.js';
import { thrown } from '../helpers/thrown.js';

const rowError = (fn: () => unknown) => thrown(fn, DataFormatError);

describe('parseSeriesLine', () => {
  it('labelColumn "no": every field is a value, fields numbered from 1', () => {
    const row = parseSeriesLine('1 2 3', 1, 'x', { labelColumn: 'no' })!;
    expect(row.label).toBeUndefined();
    expect(Array.from(row.values)).toEqual([1, 2, 3]);
    const e = rowError(() => parseSeriesLine('1 abc 3', 7, 'x', { labelColumn: 'no' }));
    expect([e.line, e.field, e.message]).toEqual([7, 2, 'x:7 field 2: "abc" is not a number']);
  });

  it('labelColumn "yes" with a length: the count after the label must match', () => {
    expect(Array.from(parseSeriesLine('4 1 2', 1, 'x', { labelColumn: 'yes', length: 2 })!.values)).toEqual([1, 2]);
    expect(rowError(() => parseSeriesLine('4 1 2', 3, 'x', { labelColumn: 'yes', length: 3 })).message).toBe('x:3: expected 3 values after the label, found 2');
    expect(rowError(() => parseSeriesLine('4 1 2', 3, 'x', { labelColumn: 'no', length: 2 })).message).toBe('x:3: expected 2 values, found 3');
  });

  it('auto with a length: the other counts are refused naming both layouts', () => {
    expect(rowError(() => parseSeriesLine('1 2 3 4', 2, 'x', { length: 2 })).message).toBe('x:2: expected 2 values (or a label and 2 values), found 4 fields');
  });

  it('splits on tabs, spaces, commas and semicolons, runs of them included', () => {
    const row = parseSeriesLine('2,0.5;1\t 3 ,, 4', 1, 'x')!;
    expect(row.label).toBe('2');
    expect(Array.from(row.values)).toEqual([0.5, 1, 3, 4]);
    expect(parseSeriesLine('   ', 1, 'x')).toBeUndefined();
  });

  it('a row with only a label is refused', () => {
    expect(rowError(() => parseSeriesLine('3', 5, 'x')).message).toBe('x:5: a row needs at least one value after the label');
  });

  it('labels: integers in any spelling become their integer text, others stay as written', () => {
    expect(parseSeriesLine('2.0000000e+00 1', 1, 'x')!.label).toBe('2');
    expect(parseSeriesLine('-1 1', 1, 'x')!.label).toBe('-1');
    expect(parseSeriesLine('1.5 1', 1, 'x')!.label).toBe('1.5');
    expect(rowError(() => parseSeriesLine('Infinity 1', 1, 'x')).message).toBe('x:1 field 1: label "Infinity" is not a number');
  });

  it('"nan" spelled exactly (any case, optional sign) is NaN; other words are not numbers', () => {
    for (const text of ['nan', '+NaN', '-nan']) {
      expect(rowError(() => parseSeriesLine(`1 ${text}`, 1, 'x')).message).toBe(`x:1 field 2: value "${text}" is NaN or infinite`);
    }
    for (const text of ['xnan', 'nanx', '--nan']) {
      expect(rowError(() => parseSeriesLine(`1 ${text}`, 1, 'x')).message).toBe(`x:1 field 2: "${text}" is not a number`);
    }
  });
});

describe('parseUcrText', () => {
  it('an empty file is refused even when the length is given', () => {
    expect(rowError(() => parseUcrText('\n', 'e.tsv', { length: 3 })).message).toBe('e.tsv: the file has no data rows (empty file?)');
  });

  it('takes the length from the first row and the given length over it', () => {
    expect(parseUcrText('1 1 2\n2 3 4\n', 'a').length).toBe(2);
    expect(rowError(() => parseUcrText('1 1 2\n', 'a', { length: 3 })).message).toBe('a:1: expected 3 values after the label, found 2');
  });

  it('labelColumn "no" is refused for a file: every row needs its label', () => {
    expect(rowError(() => parseUcrText('1 2\n', 'n.tsv', { labelColumn: 'no' })).message).toBe('n.tsv:1: expected a label in the first column');
  });

  it('strips a CR only at the end of a line', () => {
    expect(Array.from(parseUcrText('1\t5\r\n', 'a').series[0]!)).toEqual([5]);
    expect(rowError(() => parseUcrText('1\t5\rx\n', 'a')).message).toBe('a:1 field 2: "5\rx" is not a number');
  });
});
