// The contract every stage shares: what a beat looks like (length, channels) and what the classes are.
// Nothing here hard-codes ECG5000: a spec is built from the data, and ECG5000 only contributes names.

export interface ClassInfo {
  /** The label as written in the data file (e.g. "1".."5" for ECG5000). */
  label: string;
  /** Human-readable name (falls back to "class <label>"). */
  name: string;
}

export interface ModelSpec {
  /** Samples per beat (140 for ECG5000). */
  inputLength: number;
  /** Channels per sample (1 for ECG5000). */
  channels: number;
  /** Classes in model-output order: output k is classes[k]. */
  classes: ClassInfo[];
}

/** ECG5000's class names, keyed by the label in the UCR files. */
export const ECG5000_CLASS_NAMES: Readonly<Record<string, string>> = Object.freeze({
  '1': 'Normal',
  '2': 'R-on-T PVC',
  '3': 'PVC',
  '4': 'Supraventricular premature beat',
  '5': 'Unclassified',
});

/** Sorts labels numerically when they all are numbers, else lexically, so 0..K-1 is stable. */
export function sortLabels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  const numeric = unique.every((l) => Number.isFinite(Number(l)));
  return unique.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}

export function classInfos(labels: string[], names: Readonly<Record<string, string>> = ECG5000_CLASS_NAMES): ClassInfo[] {
  return labels.map((label) => ({ label, name: names[label] ?? `class ${label}` }));
}
