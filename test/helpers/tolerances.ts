// Every numeric tolerance the tests use, in one place, and a NaN-aware closeness assertion that
// reports the index, actual and expected value of the worst element.

export const TOLERANCES = Object.freeze({
  /** TF.js float32 vs a float64 plain-TypeScript reference (GRU cell). */
  referenceAbs: 1e-5,
  /** Custom gradient vs the CPU backend's gradient, relative to the gradient's scale. */
  gradientRel: 1e-4,
  /** TF.js predict vs onnxruntime (node CPU, web WASM): probabilities. */
  onnxAbs: 1e-5,
  /** TF.js predict vs onnxruntime (node CPU, web WASM) on the exporter corpus (tens of layers deep). */
  corpusAbs: 1e-4,
  /** TF.js predict vs onnxruntime-web WebGPU (SwiftShader). */
  webgpuAbs: 1e-4,
});

export interface Closeness {
  maxAbsDiff: number;
  index: number;
  actual: number;
  expected: number;
}

export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>): Closeness {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let worst: Closeness = { maxAbsDiff: 0, index: -1, actual: NaN, expected: NaN };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Number.isNaN(a) || Number.isNaN(e) ? (Number.isNaN(a) && Number.isNaN(e) ? 0 : Infinity) : Math.abs(a - e);
    if (worst.index < 0 || d > worst.maxAbsDiff) worst = { maxAbsDiff: d, index: i, actual: a, expected: e };
  }
  return worst;
}

/** Throws with index, actual and expected when max |actual - expected| > atol (NaN only matches NaN). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what = 'values'): Closeness {
  const c = compareArrays(actual, expected);
  if (!(c.maxAbsDiff <= atol)) {
    throw new Error(`${what}: max abs diff ${c.maxAbsDiff} > ${atol} at index ${c.index} (actual ${c.actual}, expected ${c.expected})`);
  }
  return c;
}
