// Inference over many beats in batches: one predictor (x [n, values per beat] -> [n, K]) run on
// consecutive slices, outputs concatenated. Shared by evaluation, the validation loss and the
// data-parallel replicas; imports nothing, so a training worker can load it cheaply.

/** Beats laid end to end: `count` beats of `length` values each. */
export interface BeatRows {
  x: Float32Array;
  count: number;
  length: number;
}

/** Any predictor (x [n, length] -> [n, K]) over every beat in batches, concatenated. */
export function predictWith(predict: (x: Float32Array, n: number) => Float32Array, beats: BeatRows, batchSize = 500): Float32Array {
  const chunks: Float32Array[] = [];
  for (let start = 0; start < beats.count; start += batchSize) {
    const n = Math.min(batchSize, beats.count - start);
    chunks.push(predict(beats.x.subarray(start * beats.length, (start + n) * beats.length), n));
  }
  const out = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
