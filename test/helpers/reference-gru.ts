// An independent float64 GRU (Keras reset_after=True, gate order z, r, h) in plain TypeScript, so
// the TF.js ResetAfterGRU layer is checked against the equations rather than against itself.
//   z = sig(x Wz + bz_in + h Uz + bz_rec); r = sig(x Wr + br_in + h Ur + br_rec)
//   hh = tanh(x Wh + bh_in + r * (h Uh + bh_rec)); h' = z * h + (1 - z) * hh

export interface GruWeights {
  /** [inputDim, 3H], row-major. */
  kernel: ArrayLike<number>;
  /** [H, 3H], row-major. */
  recurrentKernel: ArrayLike<number>;
  /** [2, 3H]: row 0 input bias, row 1 recurrent bias. */
  bias: ArrayLike<number>;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Runs the GRU over x ([batch, steps, inputDim], row-major) from a zero state.
 * Returns [batch, steps, H] when returnSequences, else [batch, H], as float64.
 */
export function referenceGru(
  x: ArrayLike<number>,
  [batch, steps, inputDim]: [number, number, number],
  units: number,
  w: GruWeights,
  returnSequences: boolean,
): Float64Array {
  const h3 = 3 * units;
  const out = new Float64Array(returnSequences ? batch * steps * units : batch * units);
  for (let n = 0; n < batch; n++) {
    let state = new Float64Array(units);
    for (let t = 0; t < steps; t++) {
      const xOffset = (n * steps + t) * inputDim;
      const xw = new Float64Array(h3); // x W + input bias
      const hu = new Float64Array(h3); // h U + recurrent bias
      for (let j = 0; j < h3; j++) {
        let a = w.bias[j]!;
        for (let i = 0; i < inputDim; i++) a += x[xOffset + i]! * w.kernel[i * h3 + j]!;
        xw[j] = a;
        let b = w.bias[h3 + j]!;
        for (let i = 0; i < units; i++) b += state[i]! * w.recurrentKernel[i * h3 + j]!;
        hu[j] = b;
      }
      const next = new Float64Array(units);
      for (let k = 0; k < units; k++) {
        const z = sigmoid(xw[k]! + hu[k]!);
        const r = sigmoid(xw[units + k]! + hu[units + k]!);
        const candidate = Math.tanh(xw[2 * units + k]! + r * hu[2 * units + k]!);
        next[k] = z * state[k]! + (1 - z) * candidate;
      }
      state = next;
      if (returnSequences) out.set(state, (n * steps + t) * units);
    }
    if (!returnSequences) out.set(state, n * units);
  }
  return out;
}
