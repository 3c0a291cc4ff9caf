// @ecg-onnx/tfjs-layers-to-onnx: TF.js layers models -> ONNX, in the browser or in Node, without
// TF.js at export time and without Python. This entry is environment-neutral (no Node module):
//
//   import { exportModel } from '@ecg-onnx/tfjs-layers-to-onnx';
//   const { bytes, summary } = await exportModel(model);          // a tf.LayersModel in memory
//   await exportModel(artifacts);                                  // tf.io.ModelArtifacts from model.save()
//   await exportModel('https://example.com/model/model.json');     // fetched with its shards
//   await exportModel(await layersModelFilesFrom(input.files));    // files a user picked or dropped
//
// Paths and atomic .onnx writes are in the Node entry, "@ecg-onnx/tfjs-layers-to-onnx/node".
import { exportEnsemble } from './ensemble.js';
import { exportLoadedModel, type ExportOptions, type ExportResult } from './exporter.js';
import { loadModelSource, type ModelSource } from './source.js';

/** Exports any browser-safe source to ONNX bytes; in Node, the "/node" entry also takes paths. */
export async function exportModel(source: ModelSource, options: ExportOptions = {}): Promise<ExportResult> {
  return exportLoadedModel(await loadModelSource(source), options);
}

export { exportLoadedModel, formatExportSummary, type ExportContract, type ExportOptions, type ExportResult, type ExportSummary } from './exporter.js';
export { GENERIC_METADATA_KEYS, type SignatureEntry } from './model-metadata.js';
export { ENSEMBLE_MEMBERS_KEY } from './ensemble.js';

/** Several models of one signature as ONE .onnx that averages their outputs (an ensemble). */
export async function exportEnsembleOf(sources: readonly ModelSource[], options: ExportOptions = {}): Promise<ExportResult> {
  return exportEnsemble(await Promise.all(sources.map((s) => loadModelSource(s))), options);
}
export { layersModelFilesFrom, fetchLayersModel, type LayersModelFiles, type ModelSource, type NamedFile } from './source.js';
export { decodeModel, type OnnxModelSummary, type OnnxNodeSummary } from './onnx-builder.js';
export { OPSET, IR_VERSION, MIN_OPSET } from './opset.js';
export { supportedClasses } from './ops/table.js';
export { EXPORTER_VERSION } from './version.js';
export type { PassReport, OptimizeOptions } from './passes/index.js';
export { ModelFormatError, UnsupportedLayerError } from '@ecg-onnx/core';
