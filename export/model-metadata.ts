// Gathers what the .onnx says about itself (the @ecg-onnx/core metadata contract): class labels and
// names, input size, output meaning, test accuracy, source hash, export time. Classes and accuracy
// come from, in order: the caller's options, model.json's userDefinedMetadata, what the Node entry
// found in a metrics.json beside the model folder (as "ecg train" writes), else generic "class k"
// labels - no project-specific field is required. Models outside that contract (any other signature)
// get generic metadata: their input/output names, shapes and dtypes, the source hash, the export time.
import { ModelFormatError, encodeMetadata, type ClassInfo } from '@ecg-onnx/core';

/** Classes and test accuracy found in one place (options, userDefinedMetadata, metrics.json). */
export interface FoundMetadata {
  classes?: ClassInfo[];
  testAccuracy?: number;
}

export interface MetadataSources extends FoundMetadata {
  userDefinedMetadata?: Record<string, unknown>;
  /** What the Node entry read from a metrics.json (browser sources have none). */
  metrics?: FoundMetadata;
  /** The model's label, for messages. */
  label: string;
}

/** Classes / accuracy from a userDefinedMetadata or metrics.json record (also nested one level, e.g. {ecgSpec: {classes}}). */
export function foundIn(r: Record<string, unknown> | undefined): FoundMetadata {
  if (!r) return {};
  if (!('classes' in r) && !('test' in r)) {
    const nested = Object.values(r).find((v) => v && typeof v === 'object' && Array.isArray((v as { classes?: unknown }).classes));
    if (nested) return { ...foundIn(nested as Record<string, unknown>), ...(typeof r.testAccuracy === 'number' ? { testAccuracy: r.testAccuracy } : {}) };
  }
  const test = r.test as { accuracy?: unknown; perClass?: unknown } | undefined;
  const acc = r.testAccuracy ?? test?.accuracy;
  const list = (r.classes ?? test?.perClass) as unknown;
  const classes = Array.isArray(list)
    ? list.map((c) => (typeof c === 'string' ? { label: c, name: `class ${c}` } : { label: String((c as ClassInfo).label), name: String((c as ClassInfo).name ?? `class ${(c as ClassInfo).label}`) }))
    : undefined;
  return { classes, testAccuracy: typeof acc === 'number' ? acc : undefined };
}

export function buildMetadataProps(
  sources: MetadataSources,
  shape: { inputLength: number; channels: number; numClasses: number; softmax: boolean },
  sourceSha256: string,
  exportedAt: string,
): { props: Record<string, string>; classes: ClassInfo[] } {
  const udm = foundIn(sources.userDefinedMetadata);
  const metrics = sources.metrics ?? {};
  const classes = sources.classes ?? udm.classes ?? metrics.classes ?? Array.from({ length: shape.numClasses }, (_, k) => ({ label: String(k), name: `class ${k}` }));
  if (classes.length !== shape.numClasses) {
    throw new ModelFormatError(`${sources.label}: ${classes.length} class names given but the model outputs ${shape.numClasses} values; pass matching classes`);
  }
  const props = encodeMetadata({
    classes,
    inputLength: shape.inputLength,
    channels: shape.channels,
    output: shape.softmax ? `class probabilities (softmax), shape [N, ${shape.numClasses}]` : `model outputs (no softmax), shape [N, ${shape.numClasses}]`,
    testAccuracy: sources.testAccuracy ?? udm.testAccuracy ?? metrics.testAccuracy,
    sourceSha256,
    exportedAt,
  });
  return { props, classes };
}

/** One graph input or output as the generic metadata and the export summary describe it. */
export interface SignatureEntry {
  name: string;
  shape: (number | string)[];
  dtype: string;
}

/** metadata_props keys of models outside the ECG contract (any signature). */
export const GENERIC_METADATA_KEYS = Object.freeze({
  name: 'model.name',
  inputs: 'model.inputs',
  outputs: 'model.outputs',
  sourceSha256: 'model.source_sha256',
  exportedAt: 'model.exported_at',
  userDefinedMetadata: 'model.user_defined_metadata',
});

/** Names, shapes and dtypes of the graph's inputs and outputs, the source hash and the export time. */
export function buildGenericMetadataProps(
  modelName: string,
  signature: { inputs: SignatureEntry[]; outputs: SignatureEntry[] },
  userDefinedMetadata: Record<string, unknown> | undefined,
  sourceSha256: string,
  exportedAt: string,
): Record<string, string> {
  const k = GENERIC_METADATA_KEYS;
  return {
    [k.name]: modelName,
    [k.inputs]: JSON.stringify(signature.inputs),
    [k.outputs]: JSON.stringify(signature.outputs),
    [k.sourceSha256]: sourceSha256,
    [k.exportedAt]: exportedAt,
    ...(userDefinedMetadata ? { [k.userDefinedMetadata]: JSON.stringify(userDefinedMetadata) } : {}),
  };
}
