// Folds an inference-mode BatchNormalization into the Conv or Gemm right before it:
// y = (conv(x) - mean) * gamma / sqrt(var + eps) + beta == conv'(x) with W' = W * s (per output
// channel), b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps). Exact up to float rounding, and
// only done when the Conv/Gemm output feeds nothing but that BatchNormalization (otherwise the
// unnormalised value is still needed) and W/B are constants. Anything else keeps its BatchNormalization.
import type { Graph } from '../graph.js';
import { constant } from './graph-edit.js';

export function foldBatchNorm(graph: Graph): number {
  let folded = 0;
  for (const bn of [...graph.nodes]) {
    if (bn.opType !== 'BatchNormalization' || bn.outputs.length !== 1) continue; // training mode has statistics outputs
    const prev = graph.producer(bn.inputs[0]!);
    if (!prev || (prev.opType !== 'Conv' && prev.opType !== 'Gemm')) continue;
    if (graph.consumers(prev.outputs[0]!).length !== 1) continue;
    if (prev.opType === 'Gemm' && (prev.attributes.transA?.value || prev.attributes.transB?.value || (prev.attributes.alpha?.value ?? 1) !== 1 || (prev.attributes.beta?.value ?? 1) !== 1)) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => constant(graph, n));
    const w = constant(graph, prev.inputs[1]);
    if (!gamma || !beta || !mean || !variance || !w) continue;
    const eps = (bn.attributes.epsilon?.value as number | undefined) ?? 1e-5;
    const channels = gamma.length;
    const wDims = graph.initializers.get(prev.inputs[1]!)!.dims;
    const scale = Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + eps));
    const w2 = new Float32Array(w.length);
    if (prev.opType === 'Conv') {
      const per = w.length / channels; // W [M, C/group, k...]: output channel is the slowest axis
      for (let i = 0; i < w.length; i++) w2[i] = w[i]! * scale[Math.floor(i / per)]!;
    } else {
      const outDim = wDims[1]!; // Gemm B [K, M]: output channel is the fastest axis
      if (outDim !== channels) continue;
      for (let i = 0; i < w.length; i++) w2[i] = w[i]! * scale[i % outDim]!;
    }
    const b = constant(graph, prev.inputs[2]) ?? new Float32Array(channels);
    const b2 = Float32Array.from(scale, (s, c) => (b[c]! - mean[c]!) * s + beta[c]!);
    prev.inputs = [prev.inputs[0]!, graph.floatConst(`${prev.inputs[1]}_bnfolded`, wDims, w2), graph.floatConst(`${prev.name}_B_bnfolded`, [channels], b2)];
    prev.outputs = [bn.outputs[0]!];
    prev.docString = `${prev.docString ?? ''} + ${bn.docString ?? 'BatchNormalization'} (folded)`;
    graph.nodes = graph.nodes.filter((n) => n !== bn);
    folded++;
  }
  return folded;
}
