// One copy of the model as the training step sees it: its trainable variables laid end to end in one
// flat float32 buffer (what FusedAdam updates), the loss and gradient of a batch (or of one worker's
// share of it), and the BatchNormalization moving statistics that data-parallel replicas average.
import * as tf from '@tensorflow/tfjs';
import { withLightTape } from './light-tape.js';
import { crossEntropy } from './loss.js';
import { predictWith } from './predict-batches.js';

/** What a step may add to the labels: soft targets ([n, K], e.g. a teacher's) and per-beat loss weights. */
export interface StepExtras {
  targets?: Float32Array;
  weights?: Float32Array;
}

/** The WASM backend's view of a tensor's data on its heap (no copy). */
type HeapBackend = { typedArrayFromHeap(info: tf.TensorInfo): Float32Array };

/** Copies a float32 tensor's values into `into` at `offset`: straight from the WASM heap when it can (one copy, not two). */
function copyInto(t: tf.Tensor, into: Float32Array, offset: number): void {
  const backend = tf.backend() as Partial<HeapBackend>;
  into.set(typeof backend.typedArrayFromHeap === 'function' ? backend.typedArrayFromHeap(t) : (t.dataSync() as Float32Array), offset);
}

/** Values [start, end) of `from` to make a tensor of: a view where the backend copies them (WASM), else a copy. */
function valuesFor(from: Float32Array): (start: number, end: number) => Float32Array {
  return tf.getBackend() === 'wasm' ? (start, end) => from.subarray(start, end) : (start, end) => from.slice(start, end);
}

/** Dropout layers' seed field (TF.js reads it when it draws a mask). */
type Seeded = { seed?: number };

export class Replica {
  readonly variables: tf.Variable[];
  /** Start of each variable in the flat buffer. */
  readonly offsets: number[];
  /** Values in all trainable variables together. */
  readonly size: number;
  private readonly movingStats: tf.LayerVariable[];
  private readonly dropouts: Seeded[];

  /** Values per input beat (length x channels). */
  readonly inputSize: number;

  constructor(
    readonly model: tf.LayersModel,
    readonly numClasses: number,
    readonly channels = 1,
  ) {
    const [, length, c] = model.inputs[0]!.shape;
    if (typeof length !== 'number' || c !== channels) throw new Error(`internal: training needs a [N, T, ${channels}] model input with a fixed T, got [${model.inputs[0]!.shape}]`);
    this.inputSize = length * channels;
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.offsets = [];
    let at = 0;
    for (const v of this.variables) {
      this.offsets.push(at);
      at += v.size;
    }
    this.size = at;
    this.movingStats = model.nonTrainableWeights;
    this.dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as Seeded[];
  }

  /** Moving statistics (BatchNormalization mean and variance) laid end to end. */
  get statsSize(): number {
    return this.movingStats.reduce((n, w) => n + w.read().size, 0);
  }

  readParams(into: Float32Array): void {
    this.variables.forEach((v, i) => into.set(v.dataSync() as Float32Array, this.offsets[i]));
  }

  /**
   * Writes the flat buffer into the variables (new tensors, as tf.train.adam's assign does). The cpu
   * backend (and tfjs-node) keep the very array a tensor is made from, so they get a copy (slice): a
   * view would let the next Adam step rewrite these tensors in place, and with them fit's best-epoch
   * copies. The WASM backend copies the values onto its heap itself, so it gets a view (no 3 MB of
   * garbage per step).
   */
  writeParams(from: Float32Array): void {
    const part = valuesFor(from);
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(tf.tensor(part(this.offsets[i]!, this.offsets[i]! + v.size), v.shape))));
  }

  readStats(into: Float32Array): void {
    let at = 0;
    for (const w of this.movingStats) {
      const data = w.read().dataSync() as Float32Array;
      into.set(data, at);
      at += data.length;
    }
  }

  writeStats(from: Float32Array): void {
    const part = valuesFor(from);
    let at = 0;
    tf.tidy(() => {
      for (const w of this.movingStats) {
        const current = w.read();
        w.write(tf.tensor(part(at, at + current.size), current.shape)); // a copy where needed, as writeParams
        at += current.size;
      }
    });
  }

  setDropoutSeeds(seeds: ArrayLike<number>): void {
    this.dropouts.forEach((l, i) => (l.seed = seeds[i]));
  }

  get dropoutCount(): number {
    return this.dropouts.length;
  }

  /** Inference-mode probabilities of `n` beats into `out` ([n, K]), in chunks of `batchSize`. */
  predictInto(x: Float32Array, n: number, out: Float32Array, batchSize = 500): void {
    const length = this.inputSize / this.channels;
    const predict = (xs: Float32Array, m: number) => tf.tidy(() => (this.model.predict(tf.tensor3d(xs, [m, length, this.channels])) as tf.Tensor).dataSync() as Float32Array);
    out.set(predictWith(predict, { x, count: n, length: this.inputSize }, batchSize));
  }

  /**
   * Loss, correct predictions and gradient (into `grad`, flat) of `n` beats in training mode.
   * `scale` weighs this share's mean loss (n / batch size under data parallelism, 1 alone), so the
   * shares' gradients add up to the whole batch's. The BatchNormalization layers update their moving
   * statistics from this share, as Keras replicas do.
   */
  gradients(x: Float32Array, y: Int32Array, n: number, scale: number, grad: Float32Array, extras: StepExtras = {}): { loss: number; hits: number } {
    const length = x.length / n / this.channels;
    return tf.tidy(() => {
      const xs = tf.tensor3d(x, [n, length, this.channels]);
      const labels = tf.tensor1d(y, 'int32');
      const targets = extras.targets ? tf.tensor2d(extras.targets, [n, this.numClasses]) : tf.oneHot(labels, this.numClasses);
      const weights = extras.weights ? tf.tensor1d(extras.weights) : undefined;
      let probs: tf.Tensor | undefined;
      const { value, grads } = withLightTape(() =>
        tf.variableGrads(() => {
          const out = this.model.apply(xs, { training: true }) as tf.Tensor;
          probs = tf.keep(out); // variableGrads tidies its closure; accuracy needs the outputs after it
          const loss = crossEntropy(out, targets, weights);
          return scale === 1 ? loss : tf.mul(loss, scale);
        }, this.variables),
      );
      this.variables.forEach((v, i) => copyInto(grads[v.name]!, grad, this.offsets[i]!));
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(probs!, -1), labels), 'float32')).dataSync()[0]!;
      probs!.dispose();
      return { loss: value.dataSync()[0]!, hits };
    });
  }
}
