// A Triton Inference Server model repository from an exported .onnx: for deployments that outgrow
// one Node process. Names, dims and classes come from the file's own metadata, so the config cannot
// drift from the model. Layout: DIR/<name>/config.pbtxt, DIR/<name>/labels.txt, DIR/<name>/1/model.onnx.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '@ecg-onnx/core/node';
import { InvalidInputError, ModelFormatError, readModelMetadata, type ModelMetadata } from '@ecg-onnx/core';

export interface TritonOptions {
  /** Model name (the folder name and the name clients ask for). Default "ecg". */
  name?: string;
  /** max_batch_size: the largest batch Triton's dynamic batcher forms. Default 64. */
  maxBatch?: number;
  /** max_queue_delay_microseconds: how long a request waits for others to join its batch. Default 2000. */
  maxQueueDelayUs?: number;
}

/** The model name a Triton repository (and `ecg serve`'s /v2 routes) use unless told otherwise. */
export const DEFAULT_MODEL_NAME = 'ecg';
/** The one version folder the repository holds, so the version clients ask /v2 for. */
export const MODEL_VERSION = '1';
/** Folder-safe model names (Triton's repository layout makes the name a folder). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkOptions(options: TritonOptions): Required<TritonOptions> {
  const name = options.name ?? DEFAULT_MODEL_NAME;
  const maxBatch = options.maxBatch ?? 64;
  const maxQueueDelayUs = options.maxQueueDelayUs ?? 2000;
  if (!MODEL_NAME_PATTERN.test(name)) throw new InvalidInputError(undefined, `--name "${name}" must be letters, digits, "_", "." or "-" (it becomes a folder name)`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidInputError(undefined, `--max-batch must be a positive integer, got ${maxBatch}`);
  if (!Number.isInteger(maxQueueDelayUs) || maxQueueDelayUs < 0) throw new InvalidInputError(undefined, `max queue delay must be a non-negative integer (microseconds), got ${maxQueueDelayUs}`);
  return { name, maxBatch, maxQueueDelayUs };
}

/** config.pbtxt text (Triton ModelConfig, protobuf text format). Dims exclude the batch dimension. */
export function tritonConfig(metadata: ModelMetadata, options: TritonOptions = {}): string {
  const { name, maxBatch, maxQueueDelayUs } = checkOptions(options);
  // The ONNX graph's first dimension is the dynamic batch N, which is what max_batch_size > 0 means to Triton.
  return [
    `# Written by "ecg triton" from the .onnx metadata; regenerate rather than edit.`,
    `name: "${name}"`,
    `backend: "onnxruntime"`,
    `max_batch_size: ${maxBatch}`,
    `input [`,
    `  {`,
    `    name: "${metadata.inputName}"`,
    `    data_type: TYPE_FP32`,
    `    dims: [ ${metadata.inputLength}, ${metadata.channels} ]`,
    `  }`,
    `]`,
    `output [`,
    `  {`,
    `    name: "${metadata.outputName}"`,
    `    data_type: TYPE_FP32`,
    `    dims: [ ${metadata.classes.length} ]`,
    `    label_filename: "labels.txt"`,
    `  }`,
    `]`,
    `dynamic_batching {`,
    `  max_queue_delay_microseconds: ${maxQueueDelayUs}`,
    `}`,
    `instance_group [`,
    `  {`,
    `    count: 1`,
    `    kind: KIND_AUTO`,
    `  }`,
    `]`,
    '',
  ].join('\n');
}

/** labels.txt: one class name per output index (Triton's classification extension reads it). */
export function tritonLabels(metadata: ModelMetadata): string {
  return metadata.classes.map((c) => c.name).join('\n') + '\n';
}

export interface TritonRepository {
  modelDir: string;
  configPath: string;
  modelPath: string;
}

/** Writes (or atomically replaces) DIR/<name>/ for `onnxPath`; other models in DIR are untouched. */
export async function writeTritonRepository(onnxPath: string, repositoryDir: string, options: TritonOptions = {}): Promise<TritonRepository> {
  const { name } = checkOptions(options);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(onnxPath));
  } catch (err) {
    throw new ModelFormatError(`${onnxPath}: cannot read the model file (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass the .onnx written by "ecg export"`);
  }
  const metadata = readModelMetadata(bytes, onnxPath);
  const config = tritonConfig(metadata, options);
  const modelDir = join(repositoryDir, name);
  await writeDirAtomic(modelDir, async (tmp) => {
    await writeFile(join(tmp, 'config.pbtxt'), config);
    await writeFile(join(tmp, 'labels.txt'), tritonLabels(metadata));
    await mkdir(join(tmp, MODEL_VERSION));
    await writeFile(join(tmp, MODEL_VERSION, 'model.onnx'), bytes);
  });
  return { modelDir, configPath: join(modelDir, 'config.pbtxt'), modelPath: join(modelDir, MODEL_VERSION, 'model.onnx') };
}
