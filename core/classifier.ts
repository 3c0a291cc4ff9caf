// The one classifier contract behind the Node and web runtimes: input validation before anything
// reaches onnxruntime, batching, and turning output rows into labelled predictions.
import { InvalidInputError } from './errors.js';
import { argmax } from './metrics.js';
import type { ModelMetadata } from './metadata.js';

export type Beat = Float32Array | ArrayLike<number>;

export interface Prediction {
  /** Original class label (e.g. "1"). */
  label: string;
  /** Class name (e.g. "Normal"). */
  name: string;
  /** Index of the class in the model output. */
  classIndex: number;
  /** One probability per class, in metadata.classes order. */
  probabilities: number[];
}

export interface Classifier {
  readonly metadata: ModelMetadata;
  /** The execution provider that runs the model, e.g. "cpu", "cuda", "wasm", "webgpu". */
  readonly provider: string;
  classify(beats: Beat[]): Promise<Prediction[]>;
  dispose(): Promise<void>;
}

/** Runs one packed batch [n, inputLength * channels] and returns the flat [n, K] output. */
export type RunBatch = (packed: Float32Array, n: number) => Promise<Float32Array>;

/** Validates and packs beats into one Float32Array (row-major [n, length, channels]). */
export function packBeats(beats: readonly Beat[], metadata: ModelMetadata): Float32Array {
  if (!Array.isArray(beats)) throw new InvalidInputError(undefined, 'expected an array of beats');
  if (beats.length === 0) throw new InvalidInputError(undefined, 'empty batch: pass at least one beat');
  const width = metadata.inputLength * metadata.channels;
  const packed = new Float32Array(beats.length * width);
  beats.forEach((beat, i) => {
    if (beat === null || typeof beat !== 'object' || typeof (beat as ArrayLike<number>).length !== 'number') {
      throw new InvalidInputError(i, 'expected an array of numbers');
    }
    if (beat.length !== width) {
      throw new InvalidInputError(i, `expected ${width} values (${metadata.inputLength} samples x ${metadata.channels} channels), got ${beat.length}`);
    }
    for (let j = 0; j < width; j++) {
      const v = beat[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new InvalidInputError(i, `value ${j} is ${typeof v === 'number' ? v : typeof v}; expected a finite number`);
      }
      packed[i * width + j] = v;
    }
  });
  return packed;
}

export function toPredictions(output: Float32Array, n: number, metadata: ModelMetadata): Prediction[] {
  const k = metadata.classes.length;
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const classIndex = argmax(output, i * k, k);
    const cls = metadata.classes[classIndex]!;
    out.push({ label: cls.label, name: cls.name, classIndex, probabilities: Array.from(output.subarray(i * k, (i + 1) * k)) });
  }
  return out;
}

/** Validates, splits into runs of at most maxBatch beats, and keeps input order. */
export async function classifyInBatches(beats: readonly Beat[], metadata: ModelMetadata, maxBatch: number, run: RunBatch): Promise<Prediction[]> {
  const packed = packBeats(beats, metadata);
  const width = metadata.inputLength * metadata.channels;
  const out: Prediction[] = [];
  for (let start = 0; start < beats.length; start += maxBatch) {
    const n = Math.min(maxBatch, beats.length - start);
    const probs = await run(packed.subarray(start * width, (start + n) * width), n);
    out.push(...toPredictions(probs, n, metadata));
  }
  return out;
}
