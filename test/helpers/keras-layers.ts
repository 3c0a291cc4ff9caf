// Test-only TF.js layers under the class names of Keras layers TF.js lacks (ZeroPadding1D,
// Cropping1D, UpSampling1D, SeparableConv1D, Subtract), written with plain tf ops after the Keras
// definitions. Saved, they give exactly the model.json a Keras-converted model has, and TF.js
// predict gives the reference the exporter is checked against.
import * as tf from '@tensorflow/tfjs';

type Kwargs = { name?: string };
const one = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x[0]! : x);
const shapeOf = (s: tf.Shape | tf.Shape[]) => (Array.isArray(s[0]) ? (s[0] as tf.Shape) : (s as tf.Shape));

export class ZeroPadding1D extends tf.layers.Layer {
  static className = 'ZeroPadding1D';
  constructor(readonly args: { padding: [number, number] } & Kwargs) {
    super(args);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, c] = shapeOf(s);
    return [n!, t === null ? null : t! + this.args.padding[0] + this.args.padding[1], c!];
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.pad(one(x), [[0, 0], this.args.padding, [0, 0]]);
  }
  override getConfig() {
    return { ...super.getConfig(), padding: this.args.padding };
  }
}

export class Cropping1D extends tf.layers.Layer {
  static className = 'Cropping1D';
  constructor(readonly args: { cropping: [number, number] } & Kwargs) {
    super(args);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, c] = shapeOf(s);
    return [n!, t! - this.args.cropping[0] - this.args.cropping[1], c!];
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const v = one(x);
    const [b, e] = this.args.cropping;
    return v.slice([0, b, 0], [-1, v.shape[1]! - b - e, -1]);
  }
  override getConfig() {
    return { ...super.getConfig(), cropping: this.args.cropping };
  }
}

export class UpSampling1D extends tf.layers.Layer {
  static className = 'UpSampling1D';
  constructor(readonly args: { size: number } & Kwargs) {
    super(args);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, c] = shapeOf(s);
    return [n!, t! * this.args.size, c!];
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const v = one(x);
    const [n, t, c] = v.shape as [number, number, number];
    return tf.tidy(() => v.expandDims(2).tile([1, 1, this.args.size, 1]).reshape([n, t * this.args.size, c]));
  }
  override getConfig() {
    return { ...super.getConfig(), size: this.args.size };
  }
}

export interface SeparableConv1DArgs extends Kwargs {
  filters: number;
  kernelSize: number;
  strides?: number;
  dilationRate?: number;
  padding?: 'same' | 'valid';
  depthMultiplier?: number;
}

/** Keras SeparableConv1D: depthwise [k, C, mult] then pointwise [1, C*mult, filters] + bias. */
export class SeparableConv1D extends tf.layers.Layer {
  static className = 'SeparableConv1D';
  private depthwise!: tf.LayerVariable;
  private pointwise!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(readonly args: SeparableConv1DArgs) {
    super(args);
  }
  private get mult() {
    return this.args.depthMultiplier ?? 1;
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const c = shapeOf(s)[2]!;
    this.depthwise = this.addWeight('depthwise_kernel', [this.args.kernelSize, c, this.mult], 'float32', tf.initializers.glorotUniform({}));
    this.pointwise = this.addWeight('pointwise_kernel', [1, c * this.mult, this.args.filters], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [this.args.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t] = shapeOf(s);
    const stride = this.args.strides ?? 1;
    const span = (this.args.dilationRate ?? 1) * (this.args.kernelSize - 1) + 1;
    const out = this.args.padding === 'same' ? Math.ceil(t! / stride) : Math.floor((t! - span) / stride) + 1;
    return [n!, out, this.args.filters];
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const v = one(x).expandDims(1) as tf.Tensor4D;
      const [k, c, m] = this.depthwise.shape as [number, number, number];
      const dw = this.depthwise.read().reshape([1, k, c, m]) as tf.Tensor4D;
      const pw = this.pointwise.read().reshape([1, 1, c * m, this.args.filters]) as tf.Tensor4D;
      const d = this.args.dilationRate ?? 1;
      const y = tf.separableConv2d(v, dw, pw, [1, this.args.strides ?? 1], this.args.padding ?? 'valid', [1, d]);
      return y.squeeze([1]).add(this.bias.read());
    });
  }
  override getConfig() {
    const a = this.args;
    return { ...super.getConfig(), filters: a.filters, kernelSize: [a.kernelSize], strides: [a.strides ?? 1], dilationRate: [a.dilationRate ?? 1], padding: a.padding ?? 'valid', depthMultiplier: this.mult, useBias: true, activation: 'linear' };
  }
}

export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return shapeOf(s);
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = x as tf.Tensor[];
    return tf.sub(a!, b!);
  }
}

for (const cls of [ZeroPadding1D, Cropping1D, UpSampling1D, SeparableConv1D, Subtract]) tf.serialization.registerClass(cls);
