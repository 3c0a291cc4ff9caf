// Accuracy and confusion matrix for a streamed file: counts are accumulated batch by batch, so a
// 200k-row file needs a K x K matrix, not per-row arrays. The finished report has the same shape and
// numbers as core/metrics.ts classificationReport (the tests check that).
import { DataFormatError } from '../../core/errors.js';
import type { ClassificationReport } from '../../core/metrics.js';
import type { ClassInfo } from '../../core/spec.js';

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

  /** Precision/recall/F1 per class (0 where undefined, as scikit-learn's zero_division=0). */
  finish(): ClassificationReport {
    const cm = this.counts.map((row) => [...row]);
    const k = this.classes.length;
    let correct = 0;
    const perClass = this.classes.map((c, i) => {
      const tp = cm[i]![i]!;
      correct += tp;
      const support = cm[i]!.reduce((a, b) => a + b, 0);
      const predictedCount = cm.reduce((a, row) => a + row[i]!, 0);
      const precision = predictedCount === 0 ? 0 : tp / predictedCount;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { label: c.label, name: c.name, precision, recall, f1, support };
    });
    return {
      accuracy: this.total === 0 ? 0 : correct / this.total,
      macroF1: perClass.reduce((a, c) => a + c.f1, 0) / Math.max(k, 1),
      confusionMatrix: cm,
      perClass,
    };
  }
}
