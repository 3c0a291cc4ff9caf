// The core exporter check, shared by the per-converter, corpus and property tests: export a TF.js
// model with and without the optimisation passes, run each in onnxruntime-node (and, when asked,
// onnxruntime-web's WASM in Node), compare every output to TF.js predict on the same seeded inputs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { exportModel, type ExportOptions } from '../../export/node.js';
import { decodeModel, type OnnxModelSummary } from '../../export/onnx-builder.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { ortRunFeeds, ortWebRunFeeds, randomFeeds, saveLayersModel, tempDir, tfPredictFeeds, type Feed } from './fixtures.js';

export interface ParityResult {
  /** .onnx paths written (for one batched onnx.checker run). */
  files: string[];
  unoptimized: OnnxModelSummary;
  optimized: OnnxModelSummary;
  allLowered: OnnxModelSummary;
}

export interface ParityOptions extends ExportOptions {
  /** Max |ONNX - TF.js| (default TOLERANCES.onnxAbs). */
  atol?: number;
  /** Also run the optimised export on onnxruntime-web (WASM, Node). */
  web?: boolean;
  /** Batch size of the random inputs (default 5). */
  n?: number;
  /** Length given to dynamic (None) input dims (default 7). */
  time?: number;
  /** Edits model.json's layer list after saving (Keras options TF.js cannot express). */
  edit?: (layers: Record<string, unknown>[]) => void;
  /** Inputs for a batch of n (default: seeded random inputs of the graph signature). */
  feeds?: (n: number, seed: number) => Feed[];
  /** Expected outputs for the feeds, instead of TF.js predict (layers TF.js runs wrongly or not at all). */
  reference?: (feeds: Feed[]) => Float32Array[];
}

/** Exports `model` three ways (no passes, default passes, every conv lowered) and checks each against TF.js. */
export async function checkModelParity(model: tf.LayersModel, label: string, options: ParityOptions = {}): Promise<ParityResult> {
  const { atol = TOLERANCES.onnxAbs, web = false, n = 5, time, edit, reference, feeds: makeFeeds, ...exportOptions } = options;
  const dir = await saveLayersModel(model, await tempDir());
  if (edit) {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    edit(json.modelTopology.config.layers);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  }
  let expected: Float32Array[] | undefined;
  const files: string[] = [];
  const summaries: OnnxModelSummary[] = [];
  const variants = [{ optimize: false }, { optimize: true }, { optimize: true, maxLoweredConvLength: Number.MAX_SAFE_INTEGER }];
  for (const [i, variant] of variants.entries()) {
    const { bytes } = await exportModel(dir, { ...exportOptions, ...variant });
    const summary = decodeModel(bytes);
    const seed = label.length * 7919 + 17;
    const feeds = makeFeeds ? makeFeeds(n, seed) : randomFeeds(model, n, seed, summary.inputs, time);
    expected ??= reference ? reference(feeds) : tfPredictFeeds(model, feeds);
    const runs = [{ runtime: 'onnxruntime-node', outputs: await ortRunFeeds(bytes, feeds) }];
    if (web && variant.optimize && i === 1) runs.push({ runtime: 'onnxruntime-web wasm', outputs: await ortWebRunFeeds(bytes, feeds) });
    for (const run of runs) {
      if (run.outputs.length !== expected.length) throw new Error(`${label}: ${run.runtime} gave ${run.outputs.length} outputs, TF.js ${expected.length}`);
      run.outputs.forEach((actual, o) => assertClose(actual, expected![o]!, atol, `${label} output ${summary.outputs[o]!.name} on ${run.runtime} (${JSON.stringify(variant)})`));
    }
    const file = join(dir, `variant${i}.onnx`);
    await writeFile(file, bytes);
    files.push(file);
    summaries.push(summary);
  }
  return { files, unoptimized: summaries[0]!, optimized: summaries[1]!, allLowered: summaries[2]! };
}
