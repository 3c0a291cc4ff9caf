// What the browser tests feed the page and expect back: the exported .onnx of the test run's trained
// model, the page's bundled beats and a class-stratified batch of test-set beats, each with TF.js's
// probabilities as the expected answer.
import { fileURLToPath } from 'node:url';
import { parseUcrText } from '../../core/dataset.js';
import { packBeats } from '../../core/classifier.js';
import type { ClassInfo } from '../../core/spec.js';
import { readFileSync } from 'node:fs';
import { ECG5000_TEST as TEST_SET_PATH } from '../../data/index.js';
import { pickBundledBeats, type BundledBeat } from '../../runtime-web/page/bundled-beats.js';
import { readModelMetadata } from '../../runtime-web/index.js';
import { loadTfjsModel, predictPacked } from '../../parity/tfjs-reference.js';
import { getExportedModel } from '../helpers/exported-model.js';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Beats per class in the uploaded batch (ECG5000's test set has 22 of its rarest class). */
export const BATCH_PER_CLASS = 12;

export interface WebFixture {
  onnx: Uint8Array;
  classes: ClassInfo[];
  /** Values per beat (input length x channels). */
  width: number;
  bundled: BundledBeat[];
  bundledExpected: number[][];
  /** Labelled TSV of the batch, as a user would upload it. */
  batchTsv: string;
  batchLabels: string[];
  batchExpected: number[][];
}

/** Builds the fixture for any model and any reference predictor (beats -> [n][K]). */
export function buildWebFixture(onnx: Uint8Array, predict: (beats: Float32Array[]) => number[][]): WebFixture {
  const metadata = readModelMetadata(onnx, 'fixture model');
  const width = metadata.inputLength * metadata.channels;
  const test = parseUcrText(readFileSync(TEST_SET_PATH, 'utf8'), TEST_SET_PATH);
  const taken = new Map<string, number>();
  const rows: number[] = [];
  test.labels.forEach((label, i) => {
    if ((taken.get(label) ?? 0) < BATCH_PER_CLASS) rows.push(i);
    taken.set(label, (taken.get(label) ?? 0) + 1);
  });
  const batch = rows.map((i) => test.series[i]!);
  const batchLabels = rows.map((i) => test.labels[i]!);
  const bundled = pickBundledBeats();
  return {
    onnx,
    classes: metadata.classes,
    width,
    bundled,
    bundledExpected: predict(bundled.map((b) => Float32Array.from(b.values))),
    batchTsv: batch.map((b, i) => [batchLabels[i], ...Array.from(b, String)].join('\t')).join('\n') + '\n',
    batchLabels,
    batchExpected: predict(batch),
  };
}

let cached: Promise<WebFixture> | undefined;

/** The fixture on the test run's trained model, TF.js as the reference (built once per worker). */
export function getWebFixture(): Promise<WebFixture> {
  cached ??= (async () => {
    const { modelDir, onnx } = await getExportedModel();
    const metadata = readModelMetadata(onnx, 'exported model');
    const model = await loadTfjsModel(modelDir);
    const predict = (beats: Float32Array[]) => {
      const probs = predictPacked(model, packBeats(beats, metadata), beats.length, metadata.inputLength, metadata.channels);
      const k = metadata.classes.length;
      return beats.map((_, i) => Array.from(probs.subarray(i * k, (i + 1) * k)));
    };
    return buildWebFixture(onnx, predict);
  })();
  return cached;
}
