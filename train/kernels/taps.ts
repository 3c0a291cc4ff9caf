// Kernel taps that only ever meet padding. With 'same' padding on a short sequence, e.g. the
// paper's 5-tap conv on 2 time steps, taps 0 and 4 multiply zeros for every output, so 40% of
// the im2col products are wasted. Dropping them is the same convolution with a smaller kernel and
// less padding; the filter (gradient) is sliced (zero-filled) to match.
import type * as tf from '@tensorflow/tfjs';
import { geometryOf, type ConvGeometry } from './im2col.js';
import type { WasmBackendLike } from './wasm-heap.js';

/** Used kernel rows [h0, h1) and columns [w0, w1). */
export interface TapRange {
  h0: number;
  h1: number;
  w0: number;
  w1: number;
}

function usedRange(filter: number, stride: number, pad: number, inSize: number, outSize: number): [number, number] {
  const used = (k: number) => {
    for (let o = 0; o < outSize; o++) {
      const i = o * stride + k - pad;
      if (i >= 0 && i < inSize) return true;
    }
    return false;
  };
  let first = 0;
  while (first < filter && !used(first)) first++;
  let end = filter;
  while (end > first && !used(end - 1)) end--;
  return first < end ? [first, end] : [0, filter]; // nothing used: keep the kernel whole
}

export function usedTaps(g: ConvGeometry): TapRange {
  const [h0, h1] = usedRange(g.filterHeight, g.strideHeight, g.padTop, g.inHeight, g.outHeight);
  const [w0, w1] = usedRange(g.filterWidth, g.strideWidth, g.padLeft, g.inWidth, g.outWidth);
  return { h0, h1, w0, w1 };
}

export function isWholeKernel(g: ConvGeometry, r: TapRange): boolean {
  return r.h0 === 0 && r.h1 === g.filterHeight && r.w0 === 0 && r.w1 === g.filterWidth;
}

/** The geometry of the same convolution restricted to the used taps. */
export function trimGeometry(g: ConvGeometry, r: TapRange): ConvGeometry {
  return { ...g, filterHeight: r.h1 - r.h0, filterWidth: r.w1 - r.w0, padTop: g.padTop - r.h0, padLeft: g.padLeft - r.w0 };
}

/** Copies filter[h0:h1, w0:w1, :, :] ([Kh, Kw, Cin, Cout]) into a new tensor. */
export function sliceFilter(backend: WasmBackendLike, filter: tf.TensorInfo, g: ConvGeometry, r: TapRange, outChannels: number): tf.TensorInfo {
  const run = (r.w1 - r.w0) * g.inChannels * outChannels;
  const out = backend.makeOutput([r.h1 - r.h0, r.w1 - r.w0, g.inChannels, outChannels], 'float32');
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  for (let kh = r.h0; kh < r.h1; kh++) {
    const from = (kh * g.filterWidth + r.w0) * g.inChannels * outChannels;
    dst.set(src.subarray(from, from + run), (kh - r.h0) * run);
  }
  return out;
}

/** The full filter gradient from the used taps' gradient (the unused taps' gradient is zero). */
export function expandFilterGrad(backend: WasmBackendLike, part: tf.TensorInfo, g: ConvGeometry, r: TapRange, filterShape: number[]): tf.TensorInfo {
  const outChannels = filterShape[3]!;
  const run = (r.w1 - r.w0) * g.inChannels * outChannels;
  const out = backend.makeOutput(filterShape, 'float32');
  const src = backend.typedArrayFromHeap(part);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  for (let kh = r.h0; kh < r.h1; kh++) {
    dst.set(src.subarray((kh - r.h0) * run, (kh - r.h0 + 1) * run), (kh * g.filterWidth + r.w0) * g.inChannels * outChannels);
  }
  return out;
}

/** A convolution's geometry with its padding-only taps dropped: what every conv kernel here runs. */
export interface TapPlan {
  /** The geometry as TF.js describes it. */
  full: ConvGeometry;
  taps: TapRange;
  /** True when no tap was dropped (then g === full and the filter is used as is). */
  whole: boolean;
  /** The geometry to run (trimmed kernel and padding). */
  g: ConvGeometry;
}

export function planTaps(info: tf.backend_util.Conv2DInfo): TapPlan {
  const full = geometryOf(info);
  const taps = usedTaps(full);
  const whole = isWholeKernel(full, taps);
  return { full, taps, whole, g: whole ? full : trimGeometry(full, taps) };
}
