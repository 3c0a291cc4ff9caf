// Removes transposes that move no data, or whose only reader can absorb them, so 2-D models stay
// NCHW from the first conv to the head:
// - a Transpose that only moves size-1 axes (e.g. [N,1,1,C] -> [N,C,1,1] around a Keras
//   Reshape -> 1x1 Conv classifier head) keeps every element in place: it is a Reshape;
// - Transpose -> Flatten -> Gemm(B constant), each the only reader of the one before (a Keras
//   Flatten of a channels-first conv output, which Keras flattens channels-last): the Gemm's weight
//   rows are permuted instead, so it reads the channels-first data flattened as stored. Same products,
//   summed in another order: exact up to float rounding.
// Both act on transposes of rank >= 4 (image models) only: 1-D graphs are left to sink-transposes.ts
// and lift-conv-to-2d.ts, whose layouts were chosen by measurement (the ECG export stays as measured).
import type { Dim, Graph } from '../graph.js';
import { constant, intsAttr, soleConsumer } from './graph-edit.js';

/** Transposes of unit axes -> Reshape (static dims, or one dynamic dim that stays where it is). */
export function unitTransposesToReshapes(graph: Graph): number {
  let changed = 0;
  for (const t of graph.nodes) {
    if (t.opType !== 'Transpose') continue;
    const perm = intsAttr(t, 'perm', []);
    if (perm.length < 4) continue;
    const input = graph.shapeOf(t.inputs[0]!);
    const moved = perm.filter((a) => input[a] !== 1);
    if (moved.slice(1).some((a, i) => a < moved[i]!)) continue; // the non-unit axes keep their order
    const output = graph.shapeOf(t.outputs[0]!);
    const spec = output.map((d: Dim, i) => (typeof d === 'number' ? d : input[i] === d ? 0 : undefined));
    if (spec.some((d) => d === undefined)) continue;
    t.opType = 'Reshape';
    t.inputs = [t.inputs[0]!, graph.int64Const(`${t.name.replace(/_node$/, '')}/as_reshape`, spec as number[])];
    t.attributes = {};
    changed++;
  }
  return changed;
}

/** Transpose -> Flatten(axis 1) -> Gemm with a constant B [K, M]: permute B's rows, drop the Transpose. */
export function foldTransposeIntoGemm(graph: Graph): number {
  let folded = 0;
  for (const t of [...graph.nodes]) {
    if (t.opType !== 'Transpose') continue;
    const flatten = soleConsumer(graph, t.outputs[0]!);
    if (flatten?.opType !== 'Flatten' || (flatten.attributes.axis?.value ?? 1) !== 1) continue;
    const gemm = soleConsumer(graph, flatten.outputs[0]!);
    if (gemm?.opType !== 'Gemm' || gemm.inputs[0] !== flatten.outputs[0] || gemm.attributes.transA?.value || gemm.attributes.transB?.value) continue;
    const b = constant(graph, gemm.inputs[1]);
    const input = graph.shapeOf(t.inputs[0]!);
    const perm = intsAttr(t, 'perm', []);
    if (!b || perm.length < 4 || perm[0] !== 0 || !input.slice(1).every((d) => typeof d === 'number')) continue;
    const [rows, cols] = graph.initializers.get(gemm.inputs[1]!)!.dims as [number, number];
    // Row r of B multiplies flattened transposed element r; find where that element is stored in x.
    const inDims = input.slice(1) as number[];
    const outDims = perm.slice(1).map((a) => inDims[a - 1]!);
    const inStrides = inDims.map((_, i) => inDims.slice(i + 1).reduce((p, q) => p * q, 1));
    if (outDims.reduce((p, q) => p * q, 1) !== rows) continue;
    const b2 = new Float32Array(b.length);
    const idx = Array<number>(outDims.length).fill(0);
    for (let r = 0; r < rows; r++) {
      let src = 0;
      idx.forEach((v, i) => (src += v * inStrides[perm[i + 1]! - 1]!));
      b2.set(b.subarray(r * cols, (r + 1) * cols), src * cols);
      for (let i = outDims.length - 1; i >= 0 && ++idx[i]! === outDims[i]; i--) idx[i] = 0;
    }
    flatten.inputs = [t.inputs[0]!];
    gemm.inputs = [gemm.inputs[0]!, graph.floatConst(`${gemm.inputs[1]}_rows_as_stored`, [rows, cols], b2), ...gemm.inputs.slice(2)];
    graph.nodes = graph.nodes.filter((n) => n !== t);
    folded++;
  }
  return folded;
}
