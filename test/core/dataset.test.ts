// The UCR parser's contract: both file layouts parse to the same numbers, and every kind of bad
// row fails with a DataFormatError that names the file, the line and (where known) the field.
import { describe, expect, it } from 'vitest';
import { encodeLabels, parseSeriesLine, parseUcrText } from '../../core/dataset.js';
import { DataFormatError } from '../../core/errors.js';
import { thrown } from '../helpers/thrown.js';

const tsv = '1\t0.5\t-1\t2\n2\t0\t9.3869421e-05\t-3.25\n';
// The older UCR .txt layout: leading spaces, labels and values in %16.7e.
const txt = '   1.0000000e+00   5.0000000e-01  -1.0000000e+00   2.0000000e+00\n   2.0000000e+00   0.0000000e+00   9.3869421e-05  -3.2500000e+00\n';

const parseError = (text: string, source = 'bad.tsv') => thrown(() => parseUcrText(text, source), DataFormatError);

describe('parseUcrText', () => {
  it('reads TSV rows: label first, then the values', () => {
    const d = parseUcrText(tsv, 'a.tsv');
    expect(d.length).toBe(3);
    expect(d.labels).toEqual(['1', '2']);
    expect(Array.from(d.series[0]!)).toEqual([0.5, -1, 2]);
    expect(d.series[1]![1]).toBeCloseTo(9.3869421e-5, 12);
  });

  it('reads the whitespace .txt layout (float labels) to the same data as the TSV', () => {
    const a = parseUcrText(tsv, 'a.tsv');
    const b = parseUcrText(txt, 'a.txt');
    expect(b.labels).toEqual(a.labels);
    expect(b.series.map((s) => Array.from(s))).toEqual(a.series.map((s) => Array.from(s)));
  });

  it('accepts CRLF line ends and blank lines', () => {
    const d = parseUcrText('1\t1\t2\r\n\r\n2\t3\t4\r\n', 'crlf.tsv');
    expect(d.series.length).toBe(2);
    expect(Array.from(d.series[1]!)).toEqual([3, 4]);
  });

  it('rejects a row with a different column count, naming file and line', () => {
    const e = parseError('1\t1\t2\t3\n2\t1\t2\n', 'short.tsv');
    expect(e.file).toBe('short.tsv');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^short\.tsv:2/);
    expect(e.message).toMatch(/expected 3 values/);
  });

  it('rejects a non-numeric value, naming line and field', () => {
    const e = parseError('1\t1\t2\n2\t1\tabc\n');
    expect(e.line).toBe(2);
    expect(e.field).toBe(3);
    expect(e.message).toContain('"abc" is not a number');
  });

  it.each([['NaN'], ['nan'], ['Infinity'], ['-Infinity'], ['1e999']])('rejects %s as NaN or infinite', (bad) => {
    const e = parseError(`1\t0\t0\n1\t${bad}\t0\n`);
    expect(e.line).toBe(2);
    expect(e.field).toBe(2);
    expect(e.message).toMatch(/NaN or infinite/);
  });

  it('rejects a non-numeric label in field 1', () => {
    const e = parseError('x\t1\t2\n');
    expect(e.line).toBe(1);
    expect(e.field).toBe(1);
    expect(e.message).toMatch(/label "x"/);
  });

  it('rejects an empty file and a file of blank lines', () => {
    expect(parseError('', 'empty.tsv').message).toMatch(/^empty\.tsv: .*no data rows/);
    expect(parseError('\n  \n', 'blank.tsv').message).toMatch(/no data rows/);
  });
});

describe('parseSeriesLine', () => {
  it('detects a label column from the field count when the length is known', () => {
    expect(parseSeriesLine('3 1 2', 1, 'x', { length: 2 })?.label).toBe('3');
    expect(parseSeriesLine('3 1 2', 1, 'x', { length: 3 })?.label).toBeUndefined();
    expect(() => parseSeriesLine('1 2', 4, 'x', { length: 5 })).toThrow(/x:4: expected 5 values/);
  });
});

describe('encodeLabels', () => {
  it('maps labels to 0..K-1 in the given order', () => {
    const d = parseUcrText('2\t0\n1\t0\n2\t1\n', 'a.tsv');
    expect(Array.from(encodeLabels(d, ['1', '2']))).toEqual([1, 0, 1]);
  });

  it('rejects an unknown label naming file, line and the known labels', () => {
    const d = parseUcrText('1\t0\n7\t0\n', 'test.tsv');
    expect(() => encodeLabels(d, ['1', '2'])).toThrow(/^test\.tsv:2 field 1: unknown label "7"; the model knows 1, 2/);
  });
});
