// Layout bookkeeping. TF.js tensors are channels-last (N,T,C) / (N,H,W,C); ONNX Conv/Pool want
// (N,C,T) / (N,C,H,W) and the recurrent ops want (T,N,C). Each converted value remembers how its
// stored data is permuted relative to the Keras shape, so a transpose is inserted only where a
// consumer needs another layout, once per value.

/** stored = transpose(keras, perm): stored axis i is Keras axis perm[i]. */
export type Perm = readonly number[];

export const identity = (rank: number): Perm => Array.from({ length: rank }, (_, i) => i);
/** (N,T,C) -> (N,C,T), the ONNX Conv/Pool/BatchNormalization layout. */
export const CHANNELS_FIRST: Perm = [0, 2, 1];
/** (N,T,C) -> (T,N,C), the ONNX GRU/RNN layout. */
export const TIME_MAJOR: Perm = [1, 0, 2];

/** (N, d1.., C) -> (N, C, d1..): the ONNX layout of a channels-last tensor of any rank. */
export function channelsFirst(rank: number): Perm {
  return rank === 3 ? CHANNELS_FIRST : [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

export const samePerm = (a: Perm, b: Perm) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The ONNX Transpose perm that turns data stored as `from` into data stored as `to`. */
export function transposeBetween(from: Perm, to: Perm): number[] {
  return to.map((kerasAxis) => from.indexOf(kerasAxis));
}

/** Where Keras axis `axis` (negative counts from the end) sits in the stored layout. */
export function storedAxis(perm: Perm, axis: number): number {
  const a = axis < 0 ? perm.length + axis : axis;
  return perm.indexOf(a);
}

export function permute<T>(kerasShape: readonly T[], perm: Perm): T[] {
  return perm.map((a) => kerasShape[a]!);
}
