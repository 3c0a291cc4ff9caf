// The core exporter check, shared by the per-converter and property tests: export a TF.js model with
// and without the optimisation passes, run both in onnxruntime-node, compare to TF.js predict.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { exportModel, type ExportOptions } from '../../export/node.js';
import { decodeModel, type OnnxModelSummary } from '../../export/onnx-builder.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { ortPredict, randomInput, saveLayersModel, tempDir, tfPredict } from './fixtures.js';

export interface ParityResult {
  /** .onnx paths written (for one batched onnx.checker run). */
  files: string[];
  unoptimized: OnnxModelSummary;
  optimized: OnnxModelSummary;
  allLowered: OnnxModelSummary;
}

export async function checkParity(model: tf.LayersModel, steps: number, channels: number, label: string, options: ExportOptions = {}): Promise<ParityResult> {
  const dir = await saveLayersModel(model, await tempDir());
  const n = 5;
  const x = randomInput(n, [steps, channels], label.length * 7919 + steps);
  const expected = tfPredict(model, x, [n, steps, channels]);
  const files: string[] = [];
  const summaries: OnnxModelSummary[] = [];
  // No passes; default passes; passes with every conv lowered to Gemm (whatever its length).
  const variants = [{ optimize: false }, { optimize: true }, { optimize: true, maxLoweredConvLength: Number.MAX_SAFE_INTEGER }];
  for (const [i, variant] of variants.entries()) {
    const { bytes } = await exportModel(dir, { ...options, ...variant });
    const actual = await ortPredict(bytes, x, [n, steps, channels]);
    assertClose(actual, expected, TOLERANCES.onnxAbs, `${label} (${JSON.stringify(variant)})`);
    const file = join(dir, `variant${i}.onnx`);
    await writeFile(file, bytes);
    files.push(file);
    summaries.push(decodeModel(bytes));
  }
  return { files, unoptimized: summaries[0]!, optimized: summaries[1]!, allLowered: summaries[2]! };
}
