// Keras-default GRU (reset_after=True, sigmoid recurrent activation) as a registered TF.js layer.
// Porting note: TF.js's GRUCell rejects resetAfter and defaults to hardSigmoid; the paper's model
// (Table 1: 246,528 params = 3*(I*H + H*H + 2*H)) is Keras's default cell, so we write it here.
// Weights use Keras's layout, gate order z, r, h:
//   kernel [I, 3H], recurrent_kernel [H, 3H], bias [2, 3H] (row 0: input bias, row 1: recurrent bias)
//   z = sig(x Wz + bz_in + h Uz + bz_rec); r = sig(x Wr + br_in + h Ur + br_rec)
//   hh = tanh(x Wh + bh_in + r * (h Uh + bh_rec)); h' = z * h + (1 - z) * hh
// The whole sequence is unrolled in call(): sequences here are short (2 steps in the paper's model),
// and one input projection for all steps is a single matMul.
import * as tf from '@tensorflow/tfjs';

export interface ResetAfterGRUArgs {
  /** Hidden units H. */
  units: number;
  /** Candidate activation (Keras default 'tanh'). */
  activation?: 'tanh' | 'relu' | 'sigmoid' | 'linear';
  /** Gate activation (Keras default 'sigmoid'). */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid' | 'tanh';
  /** Return the whole sequence [N, T, H] instead of the last state [N, H]. */
  returnSequences?: boolean;
  /** Add input and recurrent biases (default true). */
  useBias?: boolean;
  /** Seed for the kernel (Glorot uniform) and recurrent kernel (orthogonal) initialisers. */
  seed?: number;
  /**
   * false: every weight starts at zero, for a copy whose weights are written right after it is built (a
   * data-parallel worker's replica). Skips the orthogonal initialiser's QR, ~0.7 s of a worker's start here.
   */
  initialize?: boolean;
  name?: string;
  inputShape?: tf.Shape;
  /** Kept so a saved Sequential model whose first layer is this one reloads with its input shape. */
  batchInputShape?: tf.Shape;
  batchSize?: number;
  dtype?: tf.DataType;
  trainable?: boolean;
}

const ACTIVATIONS: Readonly<Record<string, (x: tf.Tensor) => tf.Tensor>> = Object.freeze({
  hardSigmoid: (x: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  linear: (x: tf.Tensor) => x,
  relu: (x: tf.Tensor) => tf.relu(x),
  sigmoid: (x: tf.Tensor) => tf.sigmoid(x),
  tanh: (x: tf.Tensor) => tf.tanh(x),
});

function activationFn(name: string, field: string): (x: tf.Tensor) => tf.Tensor {
  const fn = ACTIVATIONS[name];
  if (!fn) throw new Error(`ResetAfterGRU: ${field} "${name}" is not supported; use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  return fn;
}

export class ResetAfterGRU extends tf.layers.Layer {
  static className = 'ResetAfterGRU';
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly returnSequences: boolean;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  readonly initialize: boolean;
  private kernel!: tf.LayerVariable;
  private recurrentKernel!: tf.LayerVariable;
  private bias: tf.LayerVariable | undefined;

  constructor(args: ResetAfterGRUArgs) {
    super({
      name: args.name,
      inputShape: args.inputShape,
      batchInputShape: args.batchInputShape,
      batchSize: args.batchSize,
      dtype: args.dtype,
      trainable: args.trainable,
    });
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    this.recurrentActivation = args.recurrentActivation ?? 'sigmoid';
    this.returnSequences = args.returnSequences ?? false;
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
    this.initialize = args.initialize ?? true;
    activationFn(this.activation, 'activation');
    activationFn(this.recurrentActivation, 'recurrentActivation');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 3 || typeof inputDim !== 'number') {
      throw new Error(`ResetAfterGRU expects input [batch, time, features] with known features, got [${shape.join(', ')}]`);
    }
    const h = this.units;
    const zeros = tf.initializers.zeros();
    const kernelInit = this.initialize ? tf.initializers.glorotUniform({ seed: this.seed }) : zeros;
    const recurrentInit = this.initialize ? tf.initializers.orthogonal({ seed: this.seed === undefined ? undefined : this.seed + 1 }) : zeros;
    this.kernel = this.addWeight('kernel', [inputDim, 3 * h], 'float32', kernelInit);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [h, 3 * h], 'float32', recurrentInit);
    this.bias = this.useBias ? this.addWeight('bias', [2, 3 * h], 'float32', zeros) : undefined;
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0]!, shape[1]!, this.units] : [shape[0]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [n, steps, features] = x.shape;
      const h = this.units;
      const gate = activationFn(this.recurrentActivation, 'recurrentActivation');
      const act = activationFn(this.activation, 'activation');
      const kernel = this.kernel.read() as tf.Tensor2D;
      const recurrent = this.recurrentKernel.read() as tf.Tensor2D;
      let inputBias: tf.Tensor | undefined;
      let recurrentBias: tf.Tensor | undefined;
      if (this.bias) {
        const [bi, br] = tf.split(this.bias.read(), 2, 0);
        inputBias = tf.reshape(bi!, [3 * h]);
        recurrentBias = tf.reshape(br!, [3 * h]);
      }
      let projected = tf.matMul(tf.reshape(x, [n * steps, features]), kernel);
      if (inputBias) projected = tf.add(projected, inputBias);
      const perStep = tf.unstack(tf.reshape(projected, [n, steps, 3 * h]), 1);
      let state: tf.Tensor = tf.zeros([n, h]);
      const outputs: tf.Tensor[] = [];
      for (const xp of perStep) {
        let hp: tf.Tensor = tf.matMul(state as tf.Tensor2D, recurrent);
        if (recurrentBias) hp = tf.add(hp, recurrentBias);
        const [xz, xr, xh] = tf.split(xp, 3, 1);
        const [hz, hr, hh] = tf.split(hp, 3, 1);
        const z = gate(tf.add(xz!, hz!));
        const r = gate(tf.add(xr!, hr!));
        const candidate = act(tf.add(xh!, tf.mul(r, hh!)));
        state = tf.add(tf.mul(z, state), tf.mul(tf.sub(1, z), candidate));
        outputs.push(state);
      }
      return this.returnSequences ? tf.stack(outputs, 1) : state;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      recurrentActivation: this.recurrentActivation,
      returnSequences: this.returnSequences,
      useBias: this.useBias,
      resetAfter: true,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
      ...(this.initialize ? {} : { initialize: false }),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { resetAfter: _ignored, ...args } = config;
    return new cls(args);
  }
}

tf.serialization.registerClass(ResetAfterGRU);
