// The shared trained test model (trained-model.ts) exported to ONNX by our exporter, for the tests
// that need a real .onnx (web runtime, parity). Exporting takes well under a second, so it runs once
// per test process (the exporter may change between runs); a copy is kept under test-artifacts/.
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/node.js';
import { exportModel } from '../../export/node.js';
import { getTrainedRun } from './trained-model.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ExportedModel {
  /** DIR/model (model.json + weights.bin) of the shared trained run. */
  modelDir: string;
  /** The run folder (metrics.json beside model/). */
  runDir: string;
  /** test-artifacts/exported-model/model.onnx (written atomically). */
  onnxPath: string;
  onnx: Uint8Array;
}

let pending: Promise<ExportedModel> | undefined;

export function getExportedModel(): Promise<ExportedModel> {
  pending ??= (async () => {
    const { runDir, modelDir } = await getTrainedRun();
    const { bytes } = await exportModel(modelDir);
    const onnxPath = join(ROOT, 'test-artifacts', 'exported-model', `${runDir.split(/[\\/]/).pop()}.onnx`);
    await writeFileAtomic(onnxPath, bytes);
    return { modelDir, runDir, onnxPath, onnx: bytes };
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}
