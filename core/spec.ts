// The contract every stage shares: what a beat looks like (length, channels) and what the classes are.
// Nothing here hard-codes ECG5000: a spec is built from the data, and ECG5000's names are used only
// for ECG5000 itself (other data sets get "class <label>" or the names their user passes).

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

/** Class infos for `labels`; a label without a name in `names` is called "class <label>". */
export function classInfos(labels: string[], names: Readonly<Record<string, string>> = {}): ClassInfo[] {
  return labels.map((label) => ({ label, name: names[label] ?? `class ${label}` }));
}

/**
 * Is this ECG5000 (so its class names apply)? The UCR file name says so, the beats are 140 samples
 * and every label is one of ECG5000's five. A file that merely reuses labels 1..5 is not.
 */
export function isEcg5000(fileName: string, length: number, labels: readonly string[]): boolean {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  return /^ECG5000_(TRAIN|TEST)\./i.test(base) && length === 140 && labels.every((l) => Object.hasOwn(ECG5000_CLASS_NAMES, l));
}

/**
 * Parses --class-names: either "label=name" pairs ("1=Normal,2=PVC") or one name per class in label
 * order ("Normal,PVC,..."). Returns the label -> name map, or a message saying what is wrong.
 */
export function parseClassNames(text: string, labels: readonly string[]): Record<string, string> | string {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) return `--class-names "${text}" has an empty name; write "Normal,PVC" or "1=Normal,2=PVC"`;
  const paired = items.filter((s) => s.includes('='));
  if (paired.length === items.length) {
    const names: Record<string, string> = {};
    for (const item of items) {
      const at = item.indexOf('=');
      const label = item.slice(0, at).trim();
      const name = item.slice(at + 1).trim();
      if (!labels.includes(label)) return `--class-names names label "${label}", which the data does not have; its labels are ${labels.join(', ')}`;
      if (name === '') return `--class-names gives label "${label}" an empty name`;
      names[label] = name;
    }
    return names;
  }
  if (paired.length > 0) return `--class-names mixes "label=name" pairs and plain names; use one form`;
  if (items.length !== labels.length) return `--class-names has ${items.length} names but the data has ${labels.length} classes (${labels.join(', ')}); give one per class in that order`;
  return Object.fromEntries(labels.map((l, i) => [l, items[i]!]));
}
