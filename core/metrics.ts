// Classification metrics shared by evaluation, the predict CLI, parity and the web page.

export interface PerClassReport {
  label: string;
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  /** confusionMatrix[true][predicted] */
  confusionMatrix: number[][];
  perClass: PerClassReport[];
}

export function argmax(row: ArrayLike<number>, offset = 0, width = row.length): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (row[offset + k]! > row[offset + best]!) best = k;
  return best;
}

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]!++;
  return m;
}

/** Precision/recall/F1 per class (0 where undefined, as scikit-learn's zero_division=0), accuracy, macro F1. */
export function classificationReport(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: { label: string; name: string }[],
): ClassificationReport {
  return reportFromConfusionMatrix(confusionMatrix(truth, predicted, classes.length), classes);
}

/** The same report from counts alone (cm[true][predicted]), for callers that stream and never keep rows. */
export function reportFromConfusionMatrix(cm: number[][], classes: { label: string; name: string }[]): ClassificationReport {
  const k = classes.length;
  let correct = 0;
  let total = 0;
  const perClass = classes.map((c, i) => {
    const tp = cm[i]![i]!;
    correct += tp;
    const support = cm[i]!.reduce((a, b) => a + b, 0);
    total += support;
    const predictedCount = cm.reduce((a, row) => a + row[i]!, 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label: c.label, name: c.name, precision, recall, f1, support };
  });
  return {
    accuracy: total === 0 ? 0 : correct / total,
    macroF1: perClass.reduce((a, c) => a + c.f1, 0) / Math.max(k, 1),
    confusionMatrix: cm,
    perClass,
  };
}

/** Plain-text report: per-class table then the confusion matrix (rows = truth, columns = predicted). */
export function formatReport(report: ClassificationReport): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(6);
  const nameWidth = Math.max(5, ...report.perClass.map((c) => c.name.length));
  const lines = [`accuracy ${(100 * report.accuracy).toFixed(2)}%   macro F1 ${report.macroF1.toFixed(4)}`, ''];
  lines.push(`${'label'.padEnd(6)} ${'class'.padEnd(nameWidth)}  precision  recall      f1  support`);
  for (const c of report.perClass) {
    lines.push(`${c.label.padEnd(6)} ${c.name.padEnd(nameWidth)}     ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}  ${String(c.support).padStart(7)}`);
  }
  lines.push('', 'confusion matrix (rows: true label, columns: predicted label)');
  const w = Math.max(6, ...report.confusionMatrix.flat().map((v) => String(v).length + 1));
  lines.push('      ' + report.perClass.map((c) => c.label.padStart(w)).join(''));
  report.confusionMatrix.forEach((row, i) => lines.push(report.perClass[i]!.label.padEnd(6) + row.map((v) => String(v).padStart(w)).join('')));
  return lines.join('\n');
}
