// Cheapens an inference BatchNormalization that follows conv -> ReLU (so it cannot be folded into the
// conv directly), once the conv is a Gemm and the BN a channels-last Mul(scale) + Add(shift):
// - scale: for s > 0, s * relu(z) == relu(s * z), so a positive per-channel scale moves into the
//   Gemm's weight columns and bias (exact up to float rounding); a non-positive scale stays.
// - shift: max(v + t) == max(v) + t (adding a constant is monotonic, exact in floats too), so the
//   shift moves past a following channels-last max-pool (Gather or Reshape windows -> ReduceMax).
import type { Graph } from '../graph.js';
import { constant, soleConsumer as only } from './graph-edit.js';

export function foldPositiveScaleIntoGemm(graph: Graph): number {
  let folded = 0;
  for (const gemm of [...graph.nodes]) {
    if (gemm.opType !== 'Gemm' || Object.keys(gemm.attributes).length > 0) continue;
    const relu = only(graph, gemm.outputs[0]!);
    if (relu?.opType !== 'Relu') continue;
    let cur = relu;
    const reshape = only(graph, relu.outputs[0]!);
    if (reshape?.opType === 'Reshape') cur = reshape;
    const mul = only(graph, cur.outputs[0]!);
    if (mul?.opType !== 'Mul') continue;
    const s = constant(graph, mul.inputs[1]); // Mul(x, s): in Mul(s, x) inputs[1] is x, no constant
    const w = constant(graph, gemm.inputs[1]);
    const wDims = graph.initializers.get(gemm.inputs[1]!)?.dims;
    if (!s || !w || !wDims || s.length !== wDims[1] || !s.every((v) => v > 0)) continue;
    if (graph.initializers.get(mul.inputs[1]!)!.dims.length !== 1) continue;
    const m = s.length;
    const w2 = Float32Array.from(w, (v, i) => v * s[i % m]!);
    const b = constant(graph, gemm.inputs[2]);
    gemm.inputs = [gemm.inputs[0]!, graph.floatConst(`${gemm.inputs[1]}_scaled`, wDims, w2), ...(b ? [graph.floatConst(`${gemm.inputs[2]}_scaled`, [m], Float32Array.from(b, (v, i) => v * s[i]!))] : [])];
    graph.replaceUses(mul.outputs[0]!, cur.outputs[0]!);
    graph.nodes = graph.nodes.filter((n) => n !== mul);
    folded++;
  }
  return folded;
}

export function moveShiftPastMaxPool(graph: Graph): number {
  let moved = 0;
  for (const add of [...graph.nodes]) {
    if (add.opType !== 'Add') continue;
    const t = constant(graph, add.inputs[1]);
    if (!t || graph.initializers.get(add.inputs[1]!)!.dims.length !== 1) continue;
    const next = only(graph, add.outputs[0]!);
    // (The shifted value is their data input: a Reshape's shape and Gather's indices are integers.)
    if (next?.opType !== 'Reshape' && next?.opType !== 'Gather') continue;
    const reduce = only(graph, next.outputs[0]!);
    if (reduce?.opType !== 'ReduceMax') continue;
    const outShape = graph.shapeOf(reduce.outputs[0]!);
    if (outShape[outShape.length - 1] !== t.length || graph.shapeOf(next.outputs[0]!).at(-1) !== t.length) continue;
    // Pool reads the unshifted value; the shift is applied to the pooled output instead.
    graph.replaceUses(add.outputs[0]!, add.inputs[0]!);
    const pooled = reduce.outputs[0]!;
    const raw = graph.uniqueName(`${pooled}_unshifted`);
    graph.shapes.set(raw, outShape);
    reduce.outputs = [raw];
    add.inputs = [raw, add.inputs[1]!];
    add.outputs = [pooled];
    graph.nodes = graph.nodes.filter((n) => n !== add);
    graph.nodes.splice(graph.nodes.indexOf(reduce) + 1, 0, add);
    moved++;
  }
  return moved;
}
