// Reads a UCR dataset directory (NAME_TRAIN / NAME_TEST, .tsv or the older .txt) into flat arrays
// and builds the ModelSpec from the data, so no stage hard-codes ECG5000's 140 samples or 5 classes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { classInfos, DataFormatError, ECG5000_CLASS_NAMES, encodeLabels, isEcg5000, parseClassNames, parseUcrText, sortLabels, InvalidInputError, type ModelSpec, type UcrDataset } from '@ecg-onnx/core';
import { ECG5000_DIR } from '@ecg-onnx/ecg5000';

/** The ECG5000 copy shipped in @ecg-onnx/ecg5000 (an absolute path, so it works from any folder). */
export const DEFAULT_DATA_DIR = ECG5000_DIR;

/** N beats of one channel, row-major [N, length], with class indices 0..K-1. */
export interface LabelledBeats {
  x: Float32Array;
  y: Int32Array;
  count: number;
  length: number;
}

export interface UcrSplit {
  spec: ModelSpec;
  train: LabelledBeats;
  test: LabelledBeats;
  files: { train: string; test: string };
}

const EXTENSIONS = ['.tsv', '.txt', '.tsv.gz', '.txt.gz'];

/** Finds NAME_TRAIN.* / NAME_TEST.* in `dir`; the error lists what was looked for. */
export async function findSplitFiles(dir: string): Promise<{ train: string; test: string }> {
  return { train: await findSplitFile(dir, 'TRAIN'), test: await findSplitFile(dir, 'TEST') };
}

/** Finds NAME_<part>.* in `dir` (looking at names only: the file is not opened). */
export async function findSplitFile(dir: string, part: 'TRAIN' | 'TEST'): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    throw new DataFormatError(dir, undefined, 'cannot read the data directory; pass --data DIR with NAME_TRAIN.tsv and NAME_TEST.tsv (or .txt)');
  }
  for (const ext of EXTENSIONS) {
    const hit = entries.sort().find((e) => e.toUpperCase().endsWith(`_${part}${ext.toUpperCase()}`));
    if (hit) return join(dir, hit);
  }
  throw new DataFormatError(dir, undefined, `no *_${part}.tsv or *_${part}.txt file in the data directory`);
}

/** Only the TRAIN file of a UCR directory (recipe selection must never open TEST). */
export async function loadUcrTrainOnly(dir: string = DEFAULT_DATA_DIR, classNames?: string): Promise<{ spec: ModelSpec; train: LabelledBeats; file: string }> {
  const file = await findSplitFile(dir, 'TRAIN');
  const trainSet = await readUcrFile(file);
  const spec = specFromDataset(trainSet, classNames);
  if (spec.classes.length < 2) throw new DataFormatError(file, undefined, `found ${spec.classes.length} class; training needs at least 2 labels`);
  return { spec, train: toLabelledBeats(trainSet, spec.classes.map((c) => c.label)), file };
}

export async function readUcrFile(path: string, length?: number): Promise<UcrDataset> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new DataFormatError(path, undefined, 'cannot read the file');
  }
  const text = path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return parseUcrText(text, path, length === undefined ? {} : { length });
}

/** Flattens parsed rows and maps labels to indices (unknown label -> error naming file and line). */
export function toLabelledBeats(dataset: UcrDataset, classLabels: string[]): LabelledBeats {
  const y = encodeLabels(dataset, classLabels);
  const x = new Float32Array(dataset.series.length * dataset.length);
  dataset.series.forEach((s, i) => x.set(s, i * dataset.length));
  return { x, y, count: dataset.series.length, length: dataset.length };
}

/**
 * The spec follows the training file: its length and its sorted label set. Names: `classNames`
 * (--class-names) when given, ECG5000's own names for ECG5000 only, else "class <label>".
 */
export function specFromDataset(train: UcrDataset, classNames?: string): ModelSpec {
  const labels = sortLabels(train.labels);
  let names: Readonly<Record<string, string>> = isEcg5000(train.source, train.length, labels) ? ECG5000_CLASS_NAMES : {};
  if (classNames !== undefined) {
    const parsed = parseClassNames(classNames, labels);
    if (typeof parsed === 'string') throw new InvalidInputError(undefined, parsed);
    names = parsed;
  }
  return { inputLength: train.length, channels: 1, classes: classInfos(labels, names) };
}

/** Loads a UCR train/test pair; the test file must have the same length and only labels seen in training. */
export async function loadUcrSplit(dir: string = DEFAULT_DATA_DIR, classNames?: string): Promise<UcrSplit> {
  const files = await findSplitFiles(dir);
  const trainSet = await readUcrFile(files.train);
  const testSet = await readUcrFile(files.test, trainSet.length);
  const spec = specFromDataset(trainSet, classNames);
  if (spec.classes.length < 2) {
    throw new DataFormatError(files.train, undefined, `found ${spec.classes.length} class; training needs at least 2 labels`);
  }
  const labels = spec.classes.map((c) => c.label);
  return { spec, train: toLabelledBeats(trainSet, labels), test: toLabelledBeats(testSet, labels), files };
}

/** Rows `indices` of `beats`, copied (used for splits and batches). */
export function selectRows(beats: LabelledBeats, indices: ArrayLike<number>): LabelledBeats {
  const { length } = beats;
  const x = new Float32Array(indices.length * length);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    x.set(beats.x.subarray(r * length, (r + 1) * length), i * length);
    y[i] = beats.y[r]!;
  }
  return { x, y, count: indices.length, length };
}
