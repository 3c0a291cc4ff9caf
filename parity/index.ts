// @ecg-onnx/parity: cross-runtime parity: the same ECG5000 test beats through TF.js (the training output) and every
// ONNX runtime, reporting per runtime the max abs probability difference vs TF.js, argmax agreement,
// accuracy and time; for a model of any other signature, its own inputs (files or random) through
// the same runtimes (model-parity.ts). Library behind `ecg parity`; the pipeline ends with its table.
import { readFile } from 'node:fs/promises';
import { argmax, encodeLabels, InvalidInputError, METADATA_KEYS, ModelFormatError, packBeats, parseUcrText, readModelMetadata, readOnnxMetadataProps } from '@ecg-onnx/core';
import { ECG5000_TEST } from '@ecg-onnx/ecg5000';
import { initBackend, type BackendName } from '@ecg-onnx/train';
import { runModelParity, type ModelRuntime } from './model-parity.js';
import { PARITY_RUNTIMES, type ParityRuntime } from './runtimes.js';
import { loadTfjsReference, predictPacked } from './tfjs-reference.js';

export interface ParityOptions {
  /** The saved TF.js model (folder holding model.json, or the model.json itself). */
  model: string;
  /** The exported .onnx file. */
  onnx: string;
  /** How many test beats, from the top of the test file. Default: all (4500). */
  n?: number;
  /** Labelled UCR file to take beats from. Default: data/ECG5000/ECG5000_TEST.tsv. */
  data?: string;
  /** TF.js backend for the reference run (default 'auto'). */
  backend?: BackendName;
  /** Runtimes to compare (default PARITY_RUNTIMES). */
  runtimes?: readonly ParityRuntime[];
  /**
   * Input files for a model of any signature: one .npy per graph input (in order) or one .json. Given,
   * or when the .onnx is not an ECG beat classifier, parity runs the model's own signature
   * (runModelParity) instead of ECG5000 beats.
   */
  inputs?: string[];
  /** Seed of the random inputs of a model of any signature (default 1). */
  seed?: number;
  /** Size of the dynamic dims (e.g. time) of random inputs that the TF.js model leaves open (default 16). */
  length?: number;
  /** Runtimes for a model of any signature (default MODEL_RUNTIMES). */
  modelRuntimes?: readonly ModelRuntime[];
  log?: (line: string) => void;
}

export interface ParityRow {
  runtime: string;
  provider?: string;
  /** Max |p - p_tfjs| over every probability; undefined when skipped. */
  maxAbsDiff?: number;
  /** Beats whose argmax equals TF.js's. */
  argmaxAgree?: number;
  accuracy?: number;
  timeMs?: number;
  note?: string;
  /** Why this runtime did not run (e.g. no Chromium) or how it failed. */
  skipped?: string;
}

export interface ParityReport {
  model: string;
  onnx: string;
  data: string;
  n: number;
  tfjsBackend: string;
  rows: ParityRow[];
  /** Rows argmax agreement is counted over when it is not one per sample (models of any signature). */
  argmaxRows?: number;
}

function accuracyOf(probs: Float32Array, truth: Int32Array, k: number): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (argmax(probs, i * k, k) === truth[i]) correct++;
  return correct / truth.length;
}

export async function runParity(options: ParityOptions): Promise<ParityReport> {
  const log = options.log ?? (() => {});
  const onnx = new Uint8Array(await readFile(options.onnx).catch((e: NodeJS.ErrnoException) => {
    throw new ModelFormatError(`${options.onnx}: cannot read the .onnx file (${e.code ?? e.message}); pass the file written by "ecg export"`);
  }));
  if (options.inputs?.length || readOnnxMetadataProps(onnx)[METADATA_KEYS.classes] === undefined) return runModelParity(options, onnx);
  const metadata = readModelMetadata(onnx, options.onnx);
  const dataPath = options.data ?? ECG5000_TEST;
  const width = metadata.inputLength * metadata.channels;
  const dataset = parseUcrText(await readFile(dataPath, 'utf8'), dataPath, { length: width });
  const n = options.n ?? dataset.series.length;
  if (!Number.isInteger(n) || n < 1 || n > dataset.series.length) {
    throw new InvalidInputError(undefined, `--n must be an integer from 1 to ${dataset.series.length} (the rows in ${dataPath}), got ${n}`);
  }
  const beats = dataset.series.slice(0, n);
  const labels = dataset.labels.slice(0, n);
  const truth = encodeLabels({ ...dataset, labels, series: beats }, metadata.classes.map((c) => c.label));
  const k = metadata.classes.length;

  const tfjsBackend = await initBackend(options.backend ?? 'auto');
  log(`TF.js (${tfjsBackend}): ${n} beats ...`);
  const model = await loadTfjsReference(options.model);
  const packed = packBeats(beats, metadata);
  const t0 = performance.now();
  const reference = predictPacked(model, packed, n, metadata.inputLength, metadata.channels);
  const tfjsMs = performance.now() - t0;
  model.dispose();
  const refArgmax = Array.from({ length: n }, (_, i) => argmax(reference, i * k, k));
  const rows: ParityRow[] = [
    { runtime: `TF.js (${tfjsBackend} backend)`, provider: tfjsBackend, maxAbsDiff: 0, argmaxAgree: n, accuracy: accuracyOf(reference, truth, k), timeMs: tfjsMs, note: 'reference' },
  ];

  for (const runtime of options.runtimes ?? PARITY_RUNTIMES) {
    const unavailable = runtime.unavailable();
    if (unavailable) {
      log(`${runtime.name}: skipped (${unavailable})`);
      rows.push({ runtime: runtime.name, skipped: unavailable });
      continue;
    }
    log(`${runtime.name}: ${n} beats ...`);
    const out = await runtime.run({ onnx, metadata, beats, labels, log });
    if (out.probabilities.length !== n * k) throw new Error(`${runtime.name} returned ${out.probabilities.length} values for ${n} beats x ${k} classes`);
    let maxAbsDiff = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      if (argmax(out.probabilities, i * k, k) === refArgmax[i]) agree++;
      for (let j = i * k; j < (i + 1) * k; j++) {
        const d = Math.abs(out.probabilities[j]! - reference[j]!);
        maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
      }
    }
    rows.push({ runtime: runtime.name, provider: out.provider, maxAbsDiff, argmaxAgree: agree, accuracy: accuracyOf(out.probabilities, truth, k), timeMs: out.timeMs, note: out.note });
  }
  return { model: options.model, onnx: options.onnx, data: dataPath, n, tfjsBackend, rows };
}

/** The plain-text table `ecg parity` prints and the README shows. */
export function formatParityTable(report: ParityReport): string {
  const header = ['runtime', 'provider', 'max |diff| vs TF.js', 'argmax agree', 'accuracy', 'time (ms)', 'ms/beat'];
  const body = report.rows.map((r) =>
    r.skipped !== undefined
      ? [r.runtime, '-', `skipped: ${r.skipped}`, '', '', '', '']
      : [
          r.runtime,
          r.provider ?? '',
          r.note === 'reference' ? '0 (reference)' : r.maxAbsDiff!.toExponential(2),
          r.argmaxAgree === undefined ? '-' : `${r.argmaxAgree}/${report.argmaxRows ?? report.n}`,
          r.accuracy === undefined ? '-' : `${(100 * r.accuracy).toFixed(2)}%`,
          r.timeMs!.toFixed(0),
          (r.timeMs! / report.n).toFixed(3),
        ],
  );
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c]!.startsWith('skipped') ? 0 : row[c]!.length))));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const what = report.argmaxRows === undefined && report.rows[0]?.accuracy !== undefined ? `${report.n} beats of ${report.data}` : `${report.n} samples: ${report.data}`;
  return [`parity on ${what}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export { DEFAULT_PARITY_DEVICES, PARITY_NODE_DEVICES, PARITY_RUNTIMES, parityRuntimes, type ParityInput, type ParityNodeDevice, type ParityRuntime, type RuntimeOutput } from './runtimes.js';
export { BASE_FLAGS, CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumAvailable, launchChromium, launchChromiumProfile, openPage, waitForRuns, WEBGPU_FLAGS, type OpenedPage } from './chromium.js';
export { MODEL_RUNTIMES, runModelParity, type ModelRuntime, type ModelRuntimeOutput } from './model-parity.js';
export { parseNpy, randomFeeds, readInputs, type Feed, type InputSignature } from './inputs.js';
export { runInChromium, type HarnessRun } from './harness.js';
export { classifyBundledBeats, pasteAndClassify, uploadBatch, type PageResult, type SingleResult } from './page-driver.js';
export { loadTfjsModel, loadTfjsReference, predictPacked, type TfjsReference } from './tfjs-reference.js';
