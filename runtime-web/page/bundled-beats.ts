// The test beats the page ships with (picked at build time from the shipped ECG5000 test set), so the
// page has something to classify offline and the browser tests know which rows it shows.
import { readFileSync } from 'node:fs';
import { parseUcrText } from '@ecg-onnx/core';
import { ECG5000_TEST } from '@ecg-onnx/ecg5000';

export interface BundledBeat {
  /** 1-based row in ECG5000_TEST.tsv. */
  row: number;
  label: string;
  values: number[];
}

/** The first `perClass` rows of every class, in class-label order then row order. */
export function pickBundledBeats(path = ECG5000_TEST, perClass = 2): BundledBeat[] {
  const data = parseUcrText(readFileSync(path, 'utf8'), path);
  const byLabel = new Map<string, BundledBeat[]>();
  data.labels.forEach((label, i) => {
    const list = byLabel.get(label) ?? [];
    if (list.length < perClass) list.push({ row: i + 1, label, values: Array.from(data.series[i]!) });
    byLabel.set(label, list);
  });
  const labels = [...byLabel.keys()].sort((a, b) => Number(a) - Number(b));
  return labels.flatMap((l) => byLabel.get(l)!);
}
