// How much a model's probabilities can be trusted: negative log-likelihood, Brier score and expected
// calibration error (equal-width confidence bins, as Guo et al. 2017), with the bins a reliability
// diagram draws; and the one-parameter fix, temperature scaling, fitted on held-out predictions.

export interface CalibrationBin {
  /** Confidence range [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class probability, and the share of those beats the top class got right. */
  confidence: number;
  accuracy: number;
}

export interface CalibrationReport {
  /** Mean -log p(true class) (probabilities clipped at 1e-12). */
  nll: number;
  /** Mean over beats of sum_k (p_k - [k = true])^2. */
  brier: number;
  /** sum over bins of |accuracy - confidence| weighted by the bin's share of beats. */
  ece: number;
  bins: CalibrationBin[];
}

/** probs: [n, k] row-major probabilities; truth: class indices. */
export function calibrationReport(probs: ArrayLike<number>, truth: ArrayLike<number>, k: number, binCount = 15): CalibrationReport {
  const n = truth.length;
  if (probs.length !== n * k) throw new RangeError(`calibrationReport: ${probs.length} probabilities for ${n} beats x ${k} classes`);
  const bins = Array.from({ length: binCount }, (_, b) => ({ lo: b / binCount, hi: (b + 1) / binCount, count: 0, confidence: 0, accuracy: 0 }));
  let nll = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const y = truth[i]!;
    let top = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[i * k + c]!;
      brier += (p - (c === y ? 1 : 0)) ** 2;
      if (p > probs[i * k + top]!) top = c;
    }
    nll -= Math.log(Math.max(probs[i * k + y]!, 1e-12));
    const confidence = probs[i * k + top]!;
    const bin = bins[Math.min(binCount - 1, Math.floor(confidence * binCount))]!;
    bin.count++;
    bin.confidence += confidence;
    bin.accuracy += top === y ? 1 : 0;
  }
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
    ece += (bin.count / n) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { nll: nll / n, brier: brier / n, ece, bins };
}

/** softmax(log(p) / t) per row: what a temperature t does to probabilities (logits up to a shift). */
export function applyTemperature(probs: ArrayLike<number>, k: number, t: number): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, Math.log(Math.max(probs[i + c]!, 1e-30)) / t);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i + c] = Math.exp(Math.log(Math.max(probs[i + c]!, 1e-30)) / t - max);
    for (let c = 0; c < k; c++) out[i + c]! /= sum;
  }
  return out;
}

/**
 * The temperature that minimises the NLL of `members`' averaged, temperature-scaled probabilities
 * (one member: plain temperature scaling), by golden-section search of log t over [1/20, 20].
 */
export function fitTemperature(members: readonly ArrayLike<number>[], truth: ArrayLike<number>, k: number): number {
  const nllAt = (t: number) => {
    const scaled = members.map((p) => applyTemperature(p, k, t));
    let nll = 0;
    for (let i = 0; i < truth.length; i++) {
      let p = 0;
      for (const s of scaled) p += s[i * k + truth[i]!]!;
      nll -= Math.log(Math.max(p / scaled.length, 1e-12));
    }
    return nll;
  };
  const phi = (Math.sqrt(5) - 1) / 2;
  let [a, b] = [Math.log(1 / 20), Math.log(20)];
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = nllAt(Math.exp(c));
  let fd = nllAt(Math.exp(d));
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - phi * (b - a);
      fc = nllAt(Math.exp(c));
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + phi * (b - a);
      fd = nllAt(Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}
