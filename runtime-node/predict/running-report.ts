// Accuracy and confusion matrix for a streamed file: counts are accumulated batch by batch, so a
// 200k-row file needs a K x K matrix, not per-row arrays. The finished report has the same shape and
// numbers as core/metrics.ts classificationReport (both come from reportFromConfusionMatrix).
import { type ClassificationReport, type ClassInfo, DataFormatError, reportFromConfusionMatrix } from '@ecg-onnx/core';

export class RunningReport {
  private readonly index: Map<string, number>;
  private readonly counts: number[][];
  private total = 0;

  constructor(private readonly classes: readonly ClassInfo[]) {
    this.index = new Map(classes.map((c, i) => [c.label, i]));
    this.counts = classes.map(() => new Array<number>(classes.length).fill(0));
  }

  /** Index of a label in model-output order; an unknown label is an error naming its row. */
  classOf(label: string, source: string, row: number): number {
    const k = this.index.get(label);
    if (k === undefined) {
      throw new DataFormatError(source, undefined, `data row ${row + 1} has label "${label}", which the model does not know (it knows ${[...this.index.keys()].join(', ')})`);
    }
    return k;
  }

  add(truth: number, predicted: number): void {
    this.counts[truth]![predicted]!++;
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  finish(): ClassificationReport {
    return reportFromConfusionMatrix(this.counts.map((row) => [...row]), [...this.classes]);
  }
}
