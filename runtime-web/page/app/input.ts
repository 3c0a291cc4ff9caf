// Turns pasted text or an uploaded file into beats (with labels when present), using the same UCR
// parser as the CLI, so the page and `ecg predict` accept and reject the same inputs.
import { DataFormatError, parseSeriesLine } from '@ecg-onnx/core';

export interface ParsedBeats {
  beats: Float32Array[];
  /** One label per beat, or undefined when no row carried a label. */
  labels: (string | undefined)[];
}

/** Parses rows of `width` values, each optionally led by a label; a single column of numbers is one beat. */
export function parseBeatsText(text: string, width: number, source: string): ParsedBeats {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const nonBlank = lines.filter((l) => l.trim() !== '');
  if (nonBlank.length === 0) throw new DataFormatError(source, undefined, `the input is empty; paste or upload at least one beat of ${width} values`);
  // A pasted column (one value per line, e.g. copied from a spreadsheet) is one beat.
  if (nonBlank.length === width && nonBlank.every((l) => l.trim().split(/[\t ,;]+/).length === 1)) {
    return parseBeatsText(nonBlank.join(' '), width, source);
  }
  const beats: Float32Array[] = [];
  const labels: (string | undefined)[] = [];
  lines.forEach((line, i) => {
    const row = parseSeriesLine(line, i + 1, source, { length: width, labelColumn: 'auto' });
    if (!row) return;
    beats.push(row.values);
    labels.push(row.label);
  });
  return { beats, labels };
}
