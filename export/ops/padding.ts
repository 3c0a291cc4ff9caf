// TF/Keras padding arithmetic for 1-D windows, shared by Conv1D and the pooling layers.
import type { Dim } from '../graph.js';

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
