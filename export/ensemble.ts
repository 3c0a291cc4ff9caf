// An ensemble of layers models exported as ONE .onnx: every member converted and optimised as usual
// (BatchNorm folded, ...), then merged into one graph that reads the one input and averages the members'
// probabilities (onnx-builder.ts averageModels). Every runtime runs it unchanged; the metadata says how
// many members it has and identifies them together.
import { ModelFormatError, readOnnxMetadataProps } from '@ecg-onnx/core';
import { exportLoadedModel, type ExportOptions, type ExportResult } from './exporter.js';
import type { LoadedLayersModel } from './layers-model.js';
import type { FoundMetadata } from './model-metadata.js';
import { averageModels } from './onnx-builder.js';
import { sha256Hex } from './sha256.js';

/** Metadata key of the member count (absent: a single model). */
export const ENSEMBLE_MEMBERS_KEY = 'ecg.ensemble_members';

export async function exportEnsemble(members: readonly LoadedLayersModel[], options: ExportOptions = {}, found: FoundMetadata = {}, label = 'ensemble'): Promise<ExportResult> {
  if (members.length < 2) throw new ModelFormatError(`${label}: an ensemble needs at least 2 members, got ${members.length}`);
  const started = performance.now();
  const exportedAt = options.exportedAt ?? new Date().toISOString();
  const parts: ExportResult[] = [];
  for (const m of members) parts.push(await exportLoadedModel(m, { ...options, exportedAt }, found));
  const classes = JSON.stringify(parts[0]!.summary.classes);
  parts.forEach((p, k) => {
    if (JSON.stringify(p.summary.classes) !== classes) throw new ModelFormatError(`${label}: member ${k} (${p.summary.source}) has other classes than member 0`);
  });
  const props = readOnnxMetadataProps(parts[0]!.bytes);
  props['ecg.source_sha256'] = await sha256Hex(new TextEncoder().encode(parts.map((p) => p.summary.sourceSha256).join(',')));
  props[ENSEMBLE_MEMBERS_KEY] = String(members.length);
  const testAccuracy = options.testAccuracy ?? found.testAccuracy;
  if (testAccuracy === undefined) delete props['ecg.test_accuracy'];
  else props['ecg.test_accuracy'] = String(testAccuracy);
  const merged = averageModels(parts.map((p) => p.bytes), props, label);
  const bytes = merged.buffer instanceof ArrayBuffer ? (merged as Uint8Array<ArrayBuffer>) : new Uint8Array(merged);
  const nodesByOp: Record<string, number> = { Mean: 1 };
  for (const p of parts) for (const [op, n] of Object.entries(p.summary.nodesByOp)) nodesByOp[op] = (nodesByOp[op] ?? 0) + n;
  const first = parts[0]!.summary;
  return {
    bytes,
    summary: {
      ...first,
      source: label,
      sourceSha256: props['ecg.source_sha256'],
      nodes: parts.reduce((n, p) => n + p.summary.nodes, 1),
      nodesByOp: Object.fromEntries(Object.entries(nodesByOp).sort(([a], [b]) => (a < b ? -1 : 1))),
      parameters: parts.reduce((n, p) => n + p.summary.parameters, 0),
      bytes: bytes.length,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
