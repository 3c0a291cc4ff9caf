// Adam over one flat parameter buffer in plain JavaScript: one loop instead of TF.js's 18 kernel calls per
// variable (450 per step for this model), and the same float32 arithmetic in the same order as
// tf.train.adam (tfjs-core 4.22 AdamOptimizer.applyGradients), so results are bit-identical to it.
// Each +, *, / and sqrt of float32 operands is done in double and rounded once with Math.fround, which
// equals the float32 operation exactly (double has more than 2 x 24 + 2 bits). A range [start, end) lets
// data-parallel workers each update their own slice of the shared buffers.

const f = Math.fround;

export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** tf.train.adam's default is the backend's float32 epsilon, 1e-7. */
  epsilon?: number;
}

/** Adam's state: first and second moments beside the parameters, plus the bias-correction powers. */
export class FusedAdam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly oneMinusBeta1: number;
  private readonly oneMinusBeta2: number;
  private readonly epsilon: number;
  /** beta1^t and beta2^t as TF.js keeps them: float32 variables multiplied once per step. */
  private accBeta1: number;
  private accBeta2: number;
  learningRate: number;

  /** `m` and `v` may be shared (SharedArrayBuffer) so that several threads update one state. */
  constructor(size: number, config: AdamConfig, m?: Float32Array, v?: Float32Array) {
    this.m = m ?? new Float32Array(size);
    this.v = v ?? new Float32Array(size);
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
   * One step on params[start, end) with the gradient `gradient(i)` (index into the flat buffer):
   * m = m*b1 + g*(1-b1); v = v*b2 + g^2*(1-b2); p += -lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
   * Every caller of a step must call finishStep() once afterwards (it advances b1^t, b2^t).
   */
  update(params: Float32Array, gradient: Float32Array, start = 0, end = params.length): void {
    const { m, v, beta1, beta2, oneMinusBeta1, oneMinusBeta2, epsilon } = this;
    const correction1 = f(1 - this.accBeta1);
    const correction2 = f(1 - this.accBeta2);
    const step = f(-this.learningRate);
    for (let i = start; i < end; i++) {
      const g = gradient[i]!;
      const mi = f(f(m[i]! * beta1) + f(g * oneMinusBeta1));
      const vi = f(f(v[i]! * beta2) + f(f(g * g) * oneMinusBeta2));
      m[i] = mi;
      v[i] = vi;
      const mHat = f(mi / correction1);
      const vHat = f(vi / correction2);
      params[i] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + epsilon)) * step) + params[i]!);
    }
  }

  finishStep(): void {
    this.accBeta1 = f(this.accBeta1 * this.beta1);
    this.accBeta2 = f(this.accBeta2 * this.beta2);
  }
}
