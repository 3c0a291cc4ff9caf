// Lowers a 1-D Conv whose output is short to one batch-wide Gemm (im2col, or a dense Toeplitz weight).
// Why: onnxruntime's CPU Conv runs one small GEMM per sample ([Cout, Cin*K] x [Cin*K, Tout]); with
// Tout = 2 (the paper's 128->512 kernel-5 conv) that GEMM is too skinny to be efficient, and the
// layer took 45% of a batch-1024 run. With static shapes the im2col indices are known at export time:
//   X[N,Cin,T] -> Transpose -> [N,T,Cin] -> Pad(time) -> Gather(axis 1, idx[Tout,K]) -> [N,Tout,K,Cin]
//   -> Reshape [N*Tout,K*Cin] -> Gemm(W[K*Cin,Cout], B) -> Reshape [N,Tout,Cout] -> Transpose -> Y[N,Cout,Tout]
// which is a single [N*Tout, K*Cin] x [K*Cin, Cout] GEMM. When the whole input is barely longer than
// the kernel (paper layer 14: length 2, kernel 5, so 3 of 5 taps only see padding), the conv is
// instead one dense Gemm over the flattened input, [N, T*Cin] x [T*Cin, Tout*Cout], with the
// block-Toeplitz weight (zeros where a tap meets padding): no Pad, no Gather, three nodes. It is
// chosen when it costs at most DENSE_COST_RATIO x the im2col multiply-adds (batch-1 latency is node
// overhead). Same products and sums as Conv (plus exact zeros), in another order: exact up to float
// rounding. The transposes are removed by sink-transposes.ts.
import { attr, type Graph, type GraphNode } from '../graph.js';
import { addedChannelColumn, constant, intsAttr, replaceNode } from './graph-edit.js';

/**
 * Default threshold, measured on the paper model (onnxruntime profiler, batch 1024, same run): layer 14
 * (Tout 2) 293 ms as Conv -> 13 ms as a dense Gemm; layer 4 (Tout 16) 64 ms as Conv but 82 ms as
 * Pad + im2col Gather + Gemm; whole model 572 ms unlowered, 285 ms lowering Tout <= 16, 264 ms with <= 8.
 */
export const DEFAULT_MAX_LOWERED_CONV_LENGTH = 8;

/** Dense (Toeplitz) lowering when its multiply-adds are at most this times im2col's. */
export const DENSE_COST_RATIO = 2.5;
/** ...and its weight stays small (floats). */
const MAX_DENSE_WEIGHTS = 4 << 20;

/**
 * Both lowerings share one output-length limit. A longer one for the dense Gemm was measured on the paper
 * model and rejected: twice the limit lowers layer 4 (128->32, k 7, Tout 16) too, +9..13% samples/s at
 * batch 1024 but -3..15% at batch 32, +15..30% latency at batch 1 (its 4 MiB weight is streamed per
 * call) and a 7.3 MiB file instead of 3.3 MiB. Serving runs batches of 1..64 (dynamic batching merges ~35).
 */
export function shouldLowerConv(outLength: number, maxLength: number): boolean {
  return outLength <= maxLength;
}

export type ConvLowering = 'dense' | 'im2col';

export function chooseConvLowering(length: number, outLength: number, k: number, cin: number, cout: number): ConvLowering {
  const im2col = outLength * k * cin * cout;
  const dense = length * cin * outLength * cout;
  return dense <= DENSE_COST_RATIO * im2col && dense <= MAX_DENSE_WEIGHTS ? 'dense' : 'im2col';
}

function lowerable(graph: Graph, node: GraphNode): boolean {
  if (node.opType !== 'Conv' || intsAttr(node, 'kernel_shape', []).length !== 1) return false;
  if ((node.attributes.group?.value ?? 1) !== 1 || node.attributes.auto_pad) return false;
  const x = graph.shapes.get(node.inputs[0]!);
  return !!x && typeof x[1] === 'number' && typeof x[2] === 'number' && !!constant(graph, node.inputs[1]);
}

const LAYOUT_AGNOSTIC = new Set(['Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'Softplus', 'Identity', 'BatchNormalization', 'MaxPool', 'Add', 'Mul']);

/** Is `x` computed, through layout-agnostic ops only, from a (N,T,C)->(N,C,T) transpose? */
function channelsLastUpstream(graph: Graph, x: string): boolean {
  for (let p = graph.producer(x); p; ) {
    if (p.opType === 'Transpose') return intsAttr(p, 'perm', []).join() === '0,2,1';
    if (!LAYOUT_AGNOSTIC.has(p.opType)) return false;
    const shape = graph.shapeOf(p.outputs[0]!).join();
    const main = p.opType === 'MaxPool' ? p.inputs[0] : p.inputs.find((i) => graph.shapeOf(i).join() === shape);
    p = main === undefined ? undefined : graph.producer(main);
  }
  return false;
}

/**
 * x = Add(v, s[C,1]) read only by the conv (a graph output counts as a reader): the shift to fold into
 * the bias, and v (of x's shape: a [C, 1] column broadcast over [N, C, T] does not grow it).
 */
function channelShift(graph: Graph, x: string): { input: string; values: Float32Array } | undefined {
  const add = graph.producer(x);
  if (add === undefined || graph.consumers(x).length !== 1) return undefined;
  const values = addedChannelColumn(graph, add);
  return values && { input: add.inputs[0]!, values };
}

export function lowerSmallConvs(graph: Graph, maxLength: number): number {
  let lowered = 0;
  for (const node of [...graph.nodes]) {
    if (!lowerable(graph, node)) continue;
    const [n, cin, length] = graph.shapeOf(node.inputs[0]!) as [string | number, number, number];
    const k = intsAttr(node, 'kernel_shape', [])[0]!;
    const stride = intsAttr(node, 'strides', [1])[0]!;
    const dilation = intsAttr(node, 'dilations', [1])[0]!;
    const [padBegin, padEnd] = intsAttr(node, 'pads', [0, 0]) as [number, number];
    const [, cout, outLength] = graph.shapeOf(node.outputs[0]!) as [unknown, number, number];
    const lowering = chooseConvLowering(length, outLength, k, cin, cout);
    if (!shouldLowerConv(outLength, maxLength)) continue;
    const w = constant(graph, node.inputs[1])!;
    const hint = node.name.replace(/_node$/, '');
    if (lowering === 'dense') {
      replaceNode(graph, node, () => {
        // Rows follow the input's layout: (i, pos) reads a channels-first input (a Conv's) with no
        // transpose; (pos, i) behind a transpose that sink-transposes.ts cancels against the one a
        // channels-last producer upstream ends in. Columns are (t, o): the channels-last tail of the
        // paper model (SE reductions and products over length 2) is much faster channels-last.
        const fromChannelsLast = channelsLastUpstream(graph, node.inputs[0]!);
        const rowOf = fromChannelsLast ? (pos: number, i: number) => pos * cin + i : (pos: number, i: number) => i * length + pos;
        const shift = fromChannelsLast ? undefined : channelShift(graph, node.inputs[0]!);
        const x = fromChannelsLast ? graph.add('Transpose', [node.inputs[0]!], [n, length, cin], { perm: attr.ints([0, 2, 1]) }, `${hint}/ntc`, node.docString) : (shift?.input ?? node.inputs[0]!);
        const flat = graph.add('Reshape', [x, graph.int64Const(`${hint}/flat_shape`, [-1, length * cin])], [n, length * cin], {}, `${hint}/flat`, node.docString);
        const m = new Float32Array(length * cin * outLength * cout);
        for (let t = 0; t < outLength; t++) {
          for (let j = 0; j < k; j++) {
            const pos = t * stride + j * dilation - padBegin;
            if (pos < 0 || pos >= length) continue; // this tap only meets zero padding
            for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) m[rowOf(pos, i) * outLength * cout + t * cout + o] = w[(o * cin + i) * k + j]!;
          }
        }
        const inputs = [flat, graph.floatConst(`${hint}/W_dense`, [length * cin, outLength * cout], m)];
        const b = constant(graph, node.inputs[2]);
        const cols = outLength * cout;
        if (b || shift) {
          // A per-channel shift added to the input (e.g. a BatchNorm shift moved past a pool) is linear:
          // Gemm(x + s) = Gemm(x) + s_flat W, a constant per output column, padding taps included.
          const bias = Float64Array.from({ length: cols }, (_, c) => b?.[c % cout] ?? 0);
          if (shift) for (let pos = 0; pos < length; pos++) for (let i = 0; i < cin; i++) for (let c = 0, r = rowOf(pos, i) * cols; c < cols; c++) bias[c]! += shift.values[i]! * m[r + c]!;
          inputs.push(graph.floatConst(`${hint}/B_dense`, [cols], bias));
        }
        const y = graph.add('Gemm', inputs, [n, outLength * cout], {}, `${hint}/gemm`, node.docString);
        const ntc = graph.add('Reshape', [y, graph.int64Const(`${hint}/out_shape`, [-1, outLength, cout])], [n, outLength, cout], {}, `${hint}/ntc_out`, node.docString);
        graph.nodes.push({ name: graph.uniqueName(`${hint}/nct_node`), opType: 'Transpose', inputs: [ntc], outputs: [node.outputs[0]!], attributes: { perm: attr.ints([0, 2, 1]) }, docString: node.docString });
      });
      lowered++;
      continue;
    }
    replaceNode(graph, node, () => {
      let x = graph.add('Transpose', [node.inputs[0]!], [n, length, cin], { perm: attr.ints([0, 2, 1]) }, `${hint}/ntc`, node.docString);
      const padded = length + padBegin + padEnd;
      if (padBegin + padEnd > 0) {
        const pads = graph.int64Const(`${hint}/pads`, [0, padBegin, 0, 0, padEnd, 0]);
        x = graph.add('Pad', [x, pads], [n, padded, cin], {}, `${hint}/pad`, node.docString);
      }
      // Rows are (sample, output step): one 2-D GEMM with the bias as Gemm's C, which onnxruntime
      // fuses with a following Relu (the reshapes are views, not copies).
      let rows: string;
      // Every padded step an output (only k 1, stride 1, or a single step): the rows are a Reshape.
      if (padded === outLength) {
        rows = graph.add('Reshape', [x, graph.int64Const(`${hint}/rows_shape`, [-1, cin])], [`${hint}_rows`, cin], {}, `${hint}/rows`, node.docString);
      } else {
        const idx = new BigInt64Array(outLength * k);
        for (let t = 0; t < outLength; t++) for (let j = 0; j < k; j++) idx[t * k + j] = BigInt(t * stride + j * dilation);
        const indices = graph.addInitializer(`${hint}/im2col_indices`, [outLength, k], idx);
        const windows = graph.add('Gather', [x, indices], [n, outLength, k, cin], { axis: attr.int(1) }, `${hint}/im2col`, node.docString);
        rows = graph.add('Reshape', [windows, graph.int64Const(`${hint}/rows_shape`, [-1, k * cin])], [`${hint}_rows`, k * cin], {}, `${hint}/rows`, node.docString);
      }
      // W [Cout, Cin, K] -> [K*Cin, Cout], rows ordered (k, cin) like the im2col columns.
      const wm = new Float32Array(k * cin * cout);
      for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) for (let j = 0; j < k; j++) wm[(j * cin + i) * cout + o] = w[(o * cin + i) * k + j]!;
      const gemmInputs = [rows, graph.floatConst(`${hint}/W_im2col`, [k * cin, cout], wm)];
      if (node.inputs[2]) gemmInputs.push(node.inputs[2]);
      const y = graph.add('Gemm', gemmInputs, [`${hint}_rows`, cout], {}, `${hint}/gemm`, node.docString);
      const ntc = graph.add('Reshape', [y, graph.int64Const(`${hint}/out_shape`, [-1, outLength, cout])], [n, outLength, cout], {}, `${hint}/ntc_out`, node.docString);
      graph.nodes.push({ name: graph.uniqueName(`${hint}/nct_node`), opType: 'Transpose', inputs: [ntc], outputs: [node.outputs[0]!], attributes: { perm: attr.ints([0, 2, 1]) }, docString: node.docString });
    });
    lowered++;
  }
  return lowered;
}
