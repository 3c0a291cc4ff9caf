// TF/Keras window arithmetic (convolutions and pools of any spatial rank): explicit ONNX pads where
// they are known at export time, auto_pad SAME_UPPER where they depend on a dynamic length.
import { attr, type Attr, type Dim } from '../graph.js';

export type Padding = 'same' | 'valid';

/**
 * TF 'same' pads: total = max((out - 1) * stride + dilation * (k - 1) + 1 - in, 0), begin = total // 2,
 * the odd element at the end (= ONNX auto_pad SAME_UPPER, which we spell out as explicit pads).
 */
export function sameUpperPads(length: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(length / stride);
  const total = Math.max((out - 1) * stride + dilation * (kernel - 1) + 1 - length, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Explicit [begin, end] pads along time. */
export function windowPads(padding: Padding, length: number, kernel: number, stride: number, dilation = 1): [number, number] {
  return padding === 'same' ? sameUpperPads(length, kernel, stride, dilation) : [0, 0];
}

export function windowOutputLength(length: Dim, pads: [number, number], kernel: number, stride: number, dilation = 1): number {
  if (typeof length !== 'number') throw new Error('internal: dynamic length');
  return Math.floor((length + pads[0] + pads[1] - dilation * (kernel - 1) - 1) / stride) + 1;
}

export interface WindowGeometry {
  /** ONNX `pads` (all begins, then all ends) or `auto_pad`. */
  padAttributes: Record<string, Attr>;
  /** Output spatial dims; a dynamic one gets the symbol `symbol(i)` (or keeps its input's with stride 1 SAME). */
  out: Dim[];
}

/** Pads and output dims of a window op over `spatial` dims (static or symbolic). */
export function windowGeometry(spatial: Dim[], kernel: number[], strides: number[], dilations: number[], padding: Padding, symbol: (i: number) => string): WindowGeometry {
  const begins: number[] = [];
  const ends: number[] = [];
  let autoPad = false;
  const out = spatial.map((length, i) => {
    const [k, s, d] = [kernel[i]!, strides[i]!, dilations[i]!];
    if (typeof length === 'number') {
      const pads = windowPads(padding, length, k, s, d);
      begins.push(pads[0]);
      ends.push(pads[1]);
      return windowOutputLength(length, pads, k, s, d);
    }
    if (padding === 'valid') {
      begins.push(0);
      ends.push(0);
      return symbol(i);
    }
    // SAME with stride 1 pads d*(k-1) whatever the length; with a larger stride the pads depend on it.
    const total = d * (k - 1);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
    if (s > 1) autoPad = true;
    return s === 1 ? length : symbol(i);
  });
  return { padAttributes: autoPad ? { auto_pad: attr.string('SAME_UPPER') } : { pads: attr.ints([...begins, ...ends]) }, out };
}
