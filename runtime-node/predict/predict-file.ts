// `ecg predict` without the CLI: stream a beats file through a classifier in batches, write each
// batch's rows as they come (respecting back-pressure), and count accuracy when labels are present.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type ClassificationReport, type Classifier, InvalidInputError, type LabelColumn } from '@ecg-onnx/core';
import { createOutputFormat } from './formats.js';
import { readBeatBatches } from './read-batches.js';
import { RunningReport } from './running-report.js';

export interface PredictFileOptions {
  format?: string;
  batchSize?: number;
  labelColumn?: LabelColumn;
  /** Where rows go (stdout in the CLI). */
  out: Writable;
  onProgress?: (bytesRead: number, rows: number) => void;
}

export interface PredictFileResult {
  rows: number;
  report: ClassificationReport | undefined;
  /** The format kept the report out of `out` (tsv): the caller shows it elsewhere (stderr in the CLI). */
  reportNotWritten: boolean;
}

async function write(stream: Writable, text: string): Promise<void> {
  if (text !== '' && !stream.write(text)) await once(stream, 'drain');
}

export async function predictFile(path: string, classifier: Classifier, options: PredictFileOptions): Promise<PredictFileResult> {
  const format = createOutputFormat(options.format ?? 'table');
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidInputError(undefined, `--batch-size must be a positive integer, got ${batchSize}`);
  const { metadata } = classifier;
  const running = new RunningReport(metadata.classes);
  let rows = 0;
  let hasLabels: boolean | undefined;
  const width = metadata.inputLength * metadata.channels;
  for await (const batch of readBeatBatches(path, { width, batchSize, labelColumn: options.labelColumn })) {
    if (hasLabels === undefined) {
      hasLabels = batch.labels !== undefined;
      await write(options.out, format.header(metadata, hasLabels));
    }
    // Unknown labels fail before any compute is spent on the batch.
    const truth = batch.labels?.map((label, i) => running.classOf(label, path, batch.start + i));
    const predictions = await classifier.classify(batch.beats);
    let text = '';
    predictions.forEach((prediction, i) => {
      const index = batch.start + i;
      if (truth) running.add(truth[i]!, prediction.classIndex);
      text += format.row({ index, trueLabel: batch.labels?.[i], prediction }, index === 0);
    });
    await write(options.out, text);
    rows += predictions.length;
    options.onProgress?.(batch.bytesRead, rows);
  }
  const report = hasLabels ? running.finish() : undefined;
  await write(options.out, format.footer(report));
  return { rows, report, reportNotWritten: report !== undefined && format.reportToStderr };
}
