// The Node backend of the shared Classifier contract: one onnxruntime-node session on the chosen
// device, metadata read from the .onnx itself, batches capped at maxBatch.
import { readFile } from 'node:fs/promises';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { classifyInBatches, InvalidInputError, ModelFormatError, readModelMetadata, type Beat, type Classifier, type ModelMetadata, type Prediction } from '@ecg-onnx/core';
import { openSession, type Device, type ProviderFailure, type SessionFactory } from './devices.js';
import type { WebGpuEnvironment } from './vulkan.js';

export interface LoadOptions {
  /** 'auto' (CUDA if installed, else WebGPU on a hardware GPU, else CPU), 'cpu', 'cuda' or 'webgpu'. Default 'auto'. */
  device?: Device;
  /** Intra-op threads; 0 (default) lets onnxruntime use one per core. */
  threads?: number;
  /** Largest batch handed to one session run; bigger inputs are split. Default 256. */
  maxBatch?: number;
  /** Replaces InferenceSession.create (tests simulate CUDA machines with it). */
  sessionFactory?: SessionFactory;
  /** Replaces the check of this machine's Vulkan loader, drivers and GPU devices (tests). */
  webgpuEnvironment?: WebGpuEnvironment;
}

export interface NodeClassifier extends Classifier {
  readonly maxBatch: number;
  /** Providers tried or skipped before `provider`, and why each was not used (empty when the first one worked). */
  readonly providerFailures: readonly ProviderFailure[];
  /** What the provider runs on when it matters (WebGPU on a software Vulkan driver). */
  readonly providerNote?: string;
  /** Runs beats already validated and packed by packBeats ([n, length, channels] row-major). */
  runPacked(packed: Float32Array, n: number): Promise<Float32Array>;
}

export const DEFAULT_MAX_BATCH = 256;

async function readModel(model: string | Uint8Array): Promise<{ bytes: Uint8Array; source: string }> {
  if (typeof model !== 'string') return { bytes: model, source: 'model bytes' };
  try {
    return { bytes: new Uint8Array(await readFile(model)), source: model };
  } catch (err) {
    throw new ModelFormatError(`${model}: cannot read the model file (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass the .onnx written by "ecg export"`);
  }
}

function checkSignature(session: InferenceSession, metadata: ModelMetadata, source: string): void {
  if (!session.inputNames.includes(metadata.inputName) || !session.outputNames.includes(metadata.outputName)) {
    throw new ModelFormatError(
      `${source}: expected graph input "${metadata.inputName}" and output "${metadata.outputName}", found inputs [${session.inputNames.join(', ')}] ` +
        `and outputs [${session.outputNames.join(', ')}]; re-export it with "ecg export"`,
    );
  }
}

/** Loads an exported .onnx (path or bytes) and returns a classifier on the chosen device. */
export async function load(model: string | Uint8Array, options: LoadOptions = {}): Promise<NodeClassifier> {
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidInputError(undefined, `option maxBatch must be a positive integer, got ${maxBatch}`);
  const { bytes, source } = await readModel(model);
  const metadata = readModelMetadata(bytes, source);
  const opened = await openSession(bytes, options.device ?? 'auto', { threads: options.threads, source, webgpuEnvironment: options.webgpuEnvironment }, options.sessionFactory);
  const { session } = opened;
  checkSignature(session, metadata, source);
  const width = metadata.inputLength * metadata.channels;
  const k = metadata.classes.length;

  const runChunk = async (packed: Float32Array, n: number): Promise<Float32Array> => {
    const input = new Tensor('float32', packed, [n, metadata.inputLength, metadata.channels]);
    const result = await session.run({ [metadata.inputName]: input });
    const output = result[metadata.outputName]!;
    if (output.data.length !== n * k) {
      throw new ModelFormatError(`${source}: output "${metadata.outputName}" has ${output.data.length} values for ${n} beats; expected ${n} x ${k} classes`);
    }
    return output.data as Float32Array;
  };

  return {
    metadata,
    provider: opened.provider,
    providerFailures: opened.failures,
    providerNote: opened.note,
    maxBatch,
    classify: (beats: Beat[]): Promise<Prediction[]> => classifyInBatches(beats, metadata, maxBatch, runChunk),
    async runPacked(packed, n) {
      if (packed.length !== n * width) throw new InvalidInputError(undefined, `packed input has ${packed.length} values; expected ${n} beats x ${width}`);
      if (n <= maxBatch) return runChunk(packed, n);
      const out = new Float32Array(n * k);
      for (let start = 0; start < n; start += maxBatch) {
        const m = Math.min(maxBatch, n - start);
        out.set(await runChunk(packed.subarray(start * width, (start + m) * width), m), start * k);
      }
      return out;
    },
    dispose: () => session.release(),
  };
}
