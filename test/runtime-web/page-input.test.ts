// The page's text input parsing (paste / upload), in Node: rows with and without labels, a pasted
// column, and the messages the page shows for bad input.
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../core/errors.js';
import { parseBeatsText } from '../../runtime-web/page/app/input.js';

const row = (n: number, start = 0) => Array.from({ length: n }, (_, i) => (start + i) / 10);

describe('parseBeatsText', () => {
  it('reads labelled and unlabelled rows, tabs, commas or spaces, and skips blank lines', () => {
    const text = `3\t${row(4).join('\t')}\r\n\n${row(4, 1).join(', ')}\n1 ${row(4, 2).join(' ')}\n`;
    const { beats, labels } = parseBeatsText(text, 4, 'upload.tsv');
    expect(beats.map((b) => Array.from(b))).toEqual([row(4), row(4, 1), row(4, 2)].map((r) => Array.from(Float32Array.from(r))));
    expect(labels).toEqual(['3', undefined, '1']);
  });

  it('takes a pasted column of exactly one beat as one beat', () => {
    const { beats, labels } = parseBeatsText(row(4).join('\n'), 4, 'pasted text');
    expect(beats).toHaveLength(1);
    expect(Array.from(beats[0]!)).toEqual(Array.from(Float32Array.from(row(4))));
    expect(labels).toEqual([undefined]);
  });

  it('names the source, line and field of bad input', () => {
    expect(() => parseBeatsText('  \n\n', 4, 'pasted text')).toThrow(DataFormatError);
    expect(() => parseBeatsText('  \n\n', 4, 'pasted text')).toThrow('pasted text: the input is empty; paste or upload at least one beat of 4 values');
    expect(() => parseBeatsText(`${row(4).join(',')}\n1,2`, 4, 'x.csv')).toThrow('x.csv:2: expected 4 values (or a label and 4 values), found 2 fields');
    expect(() => parseBeatsText('0.1 abc 0.3 0.4', 4, 'pasted text')).toThrow('pasted text:1 field 2: "abc" is not a number');
    expect(() => parseBeatsText('0.1 Infinity 0.3 0.4', 4, 'pasted text')).toThrow(/field 2: value "Infinity" is NaN or infinite/);
  });
});
