// Streams a beats file (UCR TSV, CSV or whitespace .txt; label column optional) as batches, so memory
// stays flat however long the file is. The first data row decides whether a label column is present
// (length + 1 fields => yes); every later row must agree.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DataFormatError, type LabelColumn, parseSeriesLine } from '@ecg-onnx/core';

export interface BeatBatch {
  /** Row index (0-based, data rows only) of the first beat in the batch. */
  start: number;
  beats: Float32Array[];
  /** Labels as written in the file, when the file has a label column. */
  labels: string[] | undefined;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead: number;
}

export interface ReadBatchesOptions {
  /** Values per beat (inputLength * channels). */
  width: number;
  batchSize: number;
  labelColumn?: LabelColumn;
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new DataFormatError(path, undefined, `cannot read the input file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

export async function* readBeatBatches(path: string, options: ReadBatchesOptions): AsyncGenerator<BeatBatch> {
  await fileSize(path); // a clear error before the stream opens
  const stream = createReadStream(path);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let labelColumn: LabelColumn = options.labelColumn ?? 'auto';
  let beats: Float32Array[] = [];
  let labels: string[] = [];
  let start = 0;
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const row = parseSeriesLine(line, lineNo, path, { length: options.width, labelColumn });
      if (!row) continue;
      if (labelColumn === 'auto') labelColumn = row.label === undefined ? 'no' : 'yes';
      beats.push(row.values);
      if (row.label !== undefined) labels.push(row.label);
      if (beats.length === options.batchSize) {
        yield { start, beats, labels: labelColumn === 'yes' ? labels : undefined, bytesRead: stream.bytesRead };
        start += beats.length;
        beats = [];
        labels = [];
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (beats.length > 0) yield { start, beats, labels: labelColumn === 'yes' ? labels : undefined, bytesRead: stream.bytesRead };
  else if (start === 0) throw new DataFormatError(path, undefined, 'the file has no data rows (empty file?)');
}
