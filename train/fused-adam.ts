// Adam over one flat parameter buffer: parameters, moments and the gradient slots of every training
// thread live in one shared WebAssembly memory, and one SIMD loop (simd-adam.ts) updates a slice of
// them with tf.train.adam's arithmetic, bit for bit. A slice per thread lets data-parallel workers
// update one state together; the bias-correction powers beta^t are kept per thread, identically.
import { instantiateSimdAdam, type AdamBuffers, type SimdAdamUpdate } from './simd-adam.js';

const f = Math.fround;
const PAGE = 65536;

export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** tf.train.adam's default is the backend's float32 epsilon, 1e-7. */
  epsilon?: number;
}

/** Where everything lies in the shared memory (byte offsets), for `size` values and `slots` gradient slots. */
export interface AdamLayout extends AdamBuffers {
  /** Values per buffer, padded to a multiple of 4 per slot so every thread's slice is whole SIMD lanes. */
  padded: number;
  pages: number;
}

export function adamLayout(size: number, slots: number): AdamLayout {
  const padded = Math.ceil(size / (4 * slots)) * 4 * slots;
  const bytes = 4 * padded;
  const layout = { params: 0, m: bytes, v: 2 * bytes, gradients: 3 * bytes, slots, slotStride: bytes, padded };
  return { ...layout, pages: Math.ceil(((3 + slots) * bytes) / PAGE) };
}

/** The shared memory and the typed views of its buffers, the same in every thread. */
export class AdamMemory {
  readonly params: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly slots: Float32Array[];

  constructor(
    readonly layout: AdamLayout,
    readonly memory = new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages, shared: true }),
  ) {
    const view = (offset: number) => new Float32Array(memory.buffer, offset, layout.padded);
    this.params = view(layout.params);
    this.m = view(layout.m);
    this.v = view(layout.v);
    this.slots = Array.from({ length: layout.slots }, (_, s) => view(layout.gradients + s * layout.slotStride));
  }

  gradient(slot: number): Float32Array {
    return this.slots[slot]!;
  }
}

/** Adam's step on a slice [start, end) of the shared buffers, the gradient being the slots' sum. */
export class FusedAdam {
  private readonly update: SimdAdamUpdate;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly oneMinusBeta1: number;
  private readonly oneMinusBeta2: number;
  private readonly epsilon: number;
  /** beta1^t and beta2^t as TF.js keeps them: float32 variables multiplied once per step. */
  private accBeta1: number;
  private accBeta2: number;
  learningRate: number;

  constructor(
    private readonly memory: AdamMemory,
    config: AdamConfig,
  ) {
    this.update = instantiateSimdAdam(memory.memory, memory.layout.pages);
    this.learningRate = config.learningRate;
    const beta1 = config.beta1 ?? 0.9;
    const beta2 = config.beta2 ?? 0.999;
    this.beta1 = f(beta1);
    this.beta2 = f(beta2);
    this.oneMinusBeta1 = f(1 - beta1); // tf: mul(gradient, 1 - this.beta1), a float32 scalar
    this.oneMinusBeta2 = f(1 - beta2);
    this.epsilon = f(config.epsilon ?? 1e-7);
    this.accBeta1 = this.beta1;
    this.accBeta2 = this.beta2;
  }

  /**
   * m = m*b1 + g*(1-b1); v = v*b2 + g^2*(1-b2); p += -lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps), over
   * [start, end) (multiples of 4; default: everything), g summed over the slots in slot order. Advances t.
   */
  step(start = 0, end = this.memory.layout.padded): void {
    if (start % 4 !== 0 || end % 4 !== 0) throw new Error(`internal: Adam slice [${start}, ${end}) is not whole SIMD lanes`);
    this.update(this.memory.layout, start, end, this.beta1, this.oneMinusBeta1, this.beta2, this.oneMinusBeta2, f(1 - this.accBeta1), f(1 - this.accBeta2), this.epsilon, f(-this.learningRate));
    this.accBeta1 = f(this.accBeta1 * this.beta1);
    this.accBeta2 = f(this.accBeta2 * this.beta2);
  }
}
