// Gathers what the .onnx says about itself (core/metadata.ts contract): class labels and names,
// input size, output meaning, test accuracy, source hash, export time. Classes and accuracy come from,
// in order: the caller's options, model.json's userDefinedMetadata, a metrics.json beside the model
// folder (as "ecg train" writes), else generic "class k" labels - no project-specific field is required.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelFormatError } from '../core/errors.js';
import { encodeMetadata } from '../core/metadata.js';
import type { ClassInfo } from '../core/spec.js';

export interface MetadataSources {
  classes?: ClassInfo[];
  testAccuracy?: number;
  userDefinedMetadata?: Record<string, unknown>;
  /** model.json path; metrics.json is looked for in its folder and the folder above. */
  modelJsonPath: string;
  /** Explicit metrics.json path (overrides the lookup). */
  metricsPath?: string;
}

interface Found {
  classes?: ClassInfo[];
  testAccuracy?: number;
}

function fromRecord(r: Record<string, unknown> | undefined): Found {
  if (!r) return {};
  // A spec saved under one key (e.g. userDefinedMetadata.ecgSpec = {classes, ...}) counts too.
  if (!('classes' in r) && !('test' in r)) {
    const nested = Object.values(r).find((v) => v && typeof v === 'object' && Array.isArray((v as { classes?: unknown }).classes));
    if (nested) return fromRecord(nested as Record<string, unknown>);
  }
  const test = r.test as { accuracy?: unknown; perClass?: unknown } | undefined;
  const acc = r.testAccuracy ?? test?.accuracy;
  const list = (r.classes ?? test?.perClass) as unknown;
  const classes = Array.isArray(list)
    ? list.map((c) => (typeof c === 'string' ? { label: c, name: `class ${c}` } : { label: String((c as ClassInfo).label), name: String((c as ClassInfo).name ?? `class ${(c as ClassInfo).label}`) }))
    : undefined;
  return { classes, testAccuracy: typeof acc === 'number' ? acc : undefined };
}

async function readMetrics(sources: MetadataSources): Promise<Found> {
  const dir = dirname(sources.modelJsonPath);
  const candidates = sources.metricsPath ? [sources.metricsPath] : [join(dir, 'metrics.json'), join(dirname(dir), 'metrics.json')];
  for (const path of candidates) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) {
      if (sources.metricsPath) throw new ModelFormatError(`${path}: metrics file cannot be read; pass an existing metrics.json or leave the option out`);
      continue;
    }
    try {
      return fromRecord(JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new ModelFormatError(`${path}: not valid JSON; fix or remove it (it supplies class names and test accuracy)`);
    }
  }
  return {};
}

export async function buildMetadataProps(
  sources: MetadataSources,
  shape: { inputLength: number; channels: number; numClasses: number; softmax: boolean },
  sourceSha256: string,
  exportedAt: string,
): Promise<{ props: Record<string, string>; classes: ClassInfo[] }> {
  const udm = fromRecord(sources.userDefinedMetadata);
  const metrics = await readMetrics(sources);
  const classes = sources.classes ?? udm.classes ?? metrics.classes ?? Array.from({ length: shape.numClasses }, (_, k) => ({ label: String(k), name: `class ${k}` }));
  if (classes.length !== shape.numClasses) {
    throw new ModelFormatError(`${sources.modelJsonPath}: ${classes.length} class names given but the model outputs ${shape.numClasses} values; pass matching classes`);
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
