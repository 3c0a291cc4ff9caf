// @ecg-onnx/tfjs-layers-to-onnx/node: the exporter in Node, where a model is also a path (a folder
// holding model.json, or model.json itself) and the .onnx is written atomically (never half a file).
//
//   import { exportModel, writeOnnx } from '@ecg-onnx/tfjs-layers-to-onnx/node';
//   const { bytes } = await exportModel('runs/latest/model');              // or anything the main entry takes
//   const summary = await writeOnnx('runs/latest/model', 'model.onnx');    // temp file + rename
//
// For a folder written by "ecg train", classes and test accuracy also come from a metrics.json beside it.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelFormatError } from '@ecg-onnx/core';
import { writeFileAtomic } from '@ecg-onnx/core/node';
import { exportEnsemble } from './ensemble.js';
import { exportLoadedModel, type ExportOptions, type ExportResult, type ExportSummary } from './exporter.js';
import { parseModelJson, readWeightGroups, type LoadedLayersModel } from './layers-model.js';
import { foundIn, type FoundMetadata } from './model-metadata.js';
import { loadModelSource, type ModelSource } from './source.js';

export interface NodeExportOptions extends ExportOptions {
  /** metrics.json to read classes / accuracy from (default: beside a model folder, if there is one). */
  metricsPath?: string;
}

/** Accepts a directory holding model.json or the model.json path itself. */
export async function resolveModelJson(modelPath: string): Promise<string> {
  const s = await stat(modelPath).catch(() => undefined);
  if (!s) throw new ModelFormatError(`${modelPath}: no such file or directory; pass the folder holding model.json (e.g. runs/latest/model) or model.json itself`);
  const json = s.isDirectory() ? join(modelPath, 'model.json') : modelPath;
  if (s.isDirectory() && !(await stat(json).catch(() => undefined))) {
    throw new ModelFormatError(`${modelPath}: folder has no model.json; pass the folder written by "ecg train" (DIR/model) or by tfjs model.save`);
  }
  return json;
}

/** Reads model.json and its shards from disk; errors name the file. */
export async function readLayersModelFiles(modelPath: string): Promise<LoadedLayersModel> {
  const path = await resolveModelJson(modelPath);
  const json = parseModelJson(await readFile(path), path);
  const groups = await readWeightGroups(json, path, async (shard) => {
    const file = join(dirname(path), shard);
    try {
      return new Uint8Array(await readFile(file));
    } catch (e) {
      throw new ModelFormatError(`${file}: weights shard listed in ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); copy it next to model.json`);
    }
  });
  return { label: path, topology: json.topology, groups, userDefinedMetadata: json.userDefinedMetadata };
}

/** metrics.json beside the model folder or one level up (where "ecg train" writes it); {} when absent. */
async function readMetrics(modelJsonPath: string, explicit: string | undefined): Promise<FoundMetadata> {
  const dir = dirname(modelJsonPath);
  const candidates = explicit ? [explicit] : [join(dir, 'metrics.json'), join(dirname(dir), 'metrics.json')];
  for (const path of candidates) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) {
      if (explicit) throw new ModelFormatError(`${path}: metrics file cannot be read; pass an existing metrics.json or leave the option out`);
      continue;
    }
    try {
      return foundIn(JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new ModelFormatError(`${path}: not valid JSON; fix or remove it (it supplies class names and test accuracy)`);
    }
  }
  return {};
}

const isRemote = (s: string) => /^https?:\/\//i.test(s);

/** The members an ensemble folder's ensemble.json names (as `ecg train --ensemble` writes it), or undefined. */
async function ensembleMembers(path: string): Promise<string[] | undefined> {
  const manifestPath = join(path, 'ensemble.json');
  const text = await readFile(manifestPath, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let manifest: { format?: unknown; members?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    throw new ModelFormatError(`${manifestPath}: not valid JSON`);
  }
  if (manifest.format !== 'ecg-onnx-ensemble' || !Array.isArray(manifest.members) || manifest.members.some((m) => typeof m !== 'string')) {
    throw new ModelFormatError(`${manifestPath}: expected {"format": "ecg-onnx-ensemble", "members": ["members/0/model", ...]}`);
  }
  return (manifest.members as string[]).map((m) => join(path, m));
}

/**
 * exportModel of the main entry, plus paths and file: URLs (http(s) URLs are fetched). A folder with
 * an ensemble.json is an ensemble: ONE .onnx averaging its members (classes and test accuracy from its
 * metrics.json).
 */
export async function exportModel(source: ModelSource, options: NodeExportOptions = {}): Promise<ExportResult> {
  const path = source instanceof URL && source.protocol === 'file:' ? fileURLToPath(source) : typeof source === 'string' && !isRemote(source) ? source : undefined;
  if (path === undefined) {
    if (options.metricsPath) return exportLoadedModel(await loadModelSource(source), options, await readMetrics('', options.metricsPath));
    return exportLoadedModel(await loadModelSource(source), options);
  }
  const members = await ensembleMembers(path);
  if (members) {
    const loaded = await Promise.all(members.map((m) => readLayersModelFiles(m)));
    return exportEnsemble(loaded, options, await readMetrics('', options.metricsPath ?? join(path, 'metrics.json')), path);
  }
  const model = await readLayersModelFiles(path);
  return exportLoadedModel(model, options, await readMetrics(model.label, options.metricsPath));
}

/** Exports and writes `outFile` atomically (a temporary file renamed over it). */
export async function writeOnnx(source: ModelSource, outFile: string, options: NodeExportOptions = {}): Promise<ExportSummary> {
  const { bytes, summary } = await exportModel(source, options);
  await writeFileAtomic(outFile, bytes);
  return summary;
}

export * from './index.js';
