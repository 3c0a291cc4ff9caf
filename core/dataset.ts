// UCR time-series text parsing (2018 TSV: label<TAB>values; older .txt: whitespace-separated).
// Pure string -> arrays so that Node (files, streams) and the browser (paste, upload) share one parser.
import { DataFormatError } from './errors.js';

export interface Series {
  /** Original label text, or undefined when the row has no label column. */
  label: string | undefined;
  values: Float32Array;
}

export interface UcrDataset {
  /** Where the rows came from (file path or "pasted text"); used in error messages. */
  source: string;
  /** Samples per series (all rows agree). */
  length: number;
  labels: string[];
  series: Float32Array[];
}

export type LabelColumn = 'yes' | 'no' | 'auto';

export interface ParseLineOptions {
  /** Series length to expect; undefined = take it from the row (label column assumed present). */
  length?: number;
  /** Is the first field a label? 'auto' (default) decides from the field count (length + 1 => yes). */
  labelColumn?: LabelColumn;
}

const SEPARATOR = /[\t ,;]+/;

/** Parses one row; returns undefined for a blank line. Throws DataFormatError naming file, line, field. */
export function parseSeriesLine(line: string, lineNo: number, source: string, options: ParseLineOptions = {}): Series | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const fields = trimmed.split(SEPARATOR);
  const { length } = options;
  let hasLabel: boolean;
  const mode = options.labelColumn ?? 'auto';
  if (mode === 'yes') hasLabel = true;
  else if (mode === 'no') hasLabel = false;
  else if (length === undefined) hasLabel = true;
  else if (fields.length === length + 1) hasLabel = true;
  else if (fields.length === length) hasLabel = false;
  else {
    throw new DataFormatError(source, lineNo, `expected ${length} values (or a label and ${length} values), found ${fields.length} fields`);
  }
  const n = fields.length - (hasLabel ? 1 : 0);
  if (length !== undefined && n !== length) {
    throw new DataFormatError(source, lineNo, `expected ${length} values${hasLabel ? ' after the label' : ''}, found ${n}`);
  }
  if (n < 1) throw new DataFormatError(source, lineNo, 'a row needs at least one value after the label');
  let label: string | undefined;
  if (hasLabel) {
    const raw = fields[0]!;
    const num = Number(raw);
    if (!Number.isFinite(num)) throw new DataFormatError(source, lineNo, `label "${raw}" is not a number`, 1);
    label = Number.isInteger(num) ? String(num) : raw; // "1.0000000e+00" in the old .txt files -> "1"
  }
  const values = new Float32Array(n);
  const offset = hasLabel ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const text = fields[i + offset]!;
    const v = Number(text);
    if (Number.isNaN(v) && !/^[-+]?nan$/i.test(text)) {
      throw new DataFormatError(source, lineNo, `"${text}" is not a number`, i + offset + 1);
    }
    if (!Number.isFinite(v)) throw new DataFormatError(source, lineNo, `value "${text}" is NaN or infinite`, i + offset + 1);
    values[i] = v;
  }
  return { label, values };
}

/** Parses a whole UCR file's text. Every row must carry a label and share one length. */
export function parseUcrText(text: string, source: string, options: ParseLineOptions = {}): UcrDataset {
  const labels: string[] = [];
  const series: Float32Array[] = [];
  let length = options.length;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const row = parseSeriesLine(lines[i]!.replace(/\r$/, ''), i + 1, source, { labelColumn: 'yes', ...options, length });
    if (!row) continue;
    if (row.label === undefined) throw new DataFormatError(source, i + 1, 'expected a label in the first column');
    length ??= row.values.length;
    if (row.values.length !== length) {
      throw new DataFormatError(source, i + 1, `expected ${length} values like the rows before, found ${row.values.length}`);
    }
    labels.push(row.label);
    series.push(row.values);
  }
  if (series.length === 0 || length === undefined) throw new DataFormatError(source, undefined, 'the file has no data rows (empty file?)');
  return { source, length, labels, series };
}

/** Maps original labels to 0..K-1 in `classLabels` order; an unknown label is an error naming its row. */
export function encodeLabels(dataset: UcrDataset, classLabels: string[]): Int32Array {
  const index = new Map(classLabels.map((l, i) => [l, i]));
  const out = new Int32Array(dataset.labels.length);
  dataset.labels.forEach((label, i) => {
    const k = index.get(label);
    if (k === undefined) {
      throw new DataFormatError(dataset.source, i + 1, `unknown label "${label}"; the model knows ${classLabels.join(', ')}`, 1);
    }
    out[i] = k;
  });
  return out;
}
