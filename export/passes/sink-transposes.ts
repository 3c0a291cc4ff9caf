// Pushes (N,T,C)<->(N,C,T) transposes down the graph until they meet another transpose and cancel.
// Why: conversion keeps convolution stacks channels-first for ONNX Conv; once lower-small-conv.ts has
// turned convs into channels-last MatMuls, every layer in between (activations, BatchNormalization,
// non-overlapping pooling, squeeze-excitation reductions and products) can run channels-last too, and
// the graph needs no transpose at all. A transpose is moved only when every reader of its output can
// be rewritten, so no layer is ever computed twice.
import { attr, type Dim, type Graph, type GraphNode } from '../graph.js';
import { constant, intsAttr, removeDeadNodes, replaceNode } from './graph-edit.js';

const SWAP = [0, 2, 1];
const UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Softsign', 'Identity', 'LeakyRelu']);
const BINARY = new Set(['Add', 'Mul', 'Sub', 'Div', 'Max', 'Min']);

const isSwap = (n: GraphNode | undefined) => n?.opType === 'Transpose' && intsAttr(n, 'perm', []).join() === SWAP.join();
const isPerChannel = (dims: number[]) => dims.length === 2 && dims[1] === 1;
const swapShape = (s: Dim[]): Dim[] => [s[0]!, s[2]!, s[1]!];

/** The channels-last twin of an operand (canSink has admitted it): a swap's source (y's own is x), a constant, an Unsqueeze. */
function channelsLastOperand(graph: Graph, name: string): string | undefined {
  const p = graph.producer(name);
  if (p && isSwap(p)) return p.inputs[0];
  const init = graph.initializers.get(name);
  if (init && init.dims.reduce((a, b) => a * b, 1) === 1) return name;
  // A per-channel constant [C, 1] (broadcast over time) is [C] channels-last.
  if (init && isPerChannel(init.dims)) return graph.floatConst(`${name}_cl`, [init.dims[0]!], init.data as Float32Array);
  if (p && isTimeUnsqueeze(graph, p)) {
    const [nn, c] = graph.shapeOf(p.inputs[0]!);
    return graph.add('Unsqueeze', [p.inputs[0]!, graph.int64Const(`${p.name}_cl_axes`, [1])], [nn!, 1, c!], {}, `${p.name}_cl`, p.docString);
  }
  return undefined;
}

/** Unsqueeze(v [N, C], axes [2]) -> [N, C, 1]: a per-sample, per-channel column (squeeze-excitation weights). */
function isTimeUnsqueeze(graph: Graph, p: GraphNode): boolean {
  const axes = graph.initializers.get(p.inputs[1]!)?.data;
  return p.opType === 'Unsqueeze' && axes?.length === 1 && Number(axes[0]) === 2 && graph.shapeOf(p.inputs[0]!).length === 2;
}

/**
 * Can `c`, reading y = swap(x), run on x instead? (Checked before anything is rewritten.) A graph output
 * (opType '<output>') and every op not named here refuse: the final `return false`.
 */
function canSink(graph: Graph, c: GraphNode, y: string, users: GraphNode[]): boolean {
  if (c.opType === 'Transpose' || UNARY.has(c.opType)) return true; // their one input is y
  if (c.opType === 'BatchNormalization') return c.inputs[0] === y && c.inputs.slice(1).every((i) => constant(graph, i));
  // ReduceSum is not here: at opset 13+ its axes are an input, not an attribute. Reducing the batch axis
  // (0) would leave [C, T] where the readers expect [T, C].
  if (c.opType === 'ReduceMean' || c.opType === 'ReduceMax') {
    const axes = intsAttr(c, 'axes', []);
    return (c.attributes.keepdims?.value ?? 1) === 0 && axes.length === 1 && axes[0] !== 0 && axes[0] !== -3;
  }
  if (c.opType === 'MaxPool') {
    const k = intsAttr(c, 'kernel_shape', []);
    const s = intsAttr(c, 'strides', [1]);
    return k.length === 1 && s.length === 1 && intsAttr(c, 'dilations', [1])[0] === 1 && !c.attributes.auto_pad && (c.attributes.ceil_mode?.value ?? 0) === 0 && c.outputs.length === 1;
  }
  if (BINARY.has(c.opType)) {
    return c.inputs.every((i) => {
      const p = graph.producer(i);
      // Another reader of y, rewritten first (node order), re-emits its output through a swap, unless it is
      // a Transpose (it becomes an Identity or another Transpose of x) or a reduction (its output has no T).
      if (p && users.includes(p)) return p.opType !== 'Transpose' && !p.opType.startsWith('Reduce');
      if (p && isSwap(p)) return true; // y itself, or another value's swap
      const init = graph.initializers.get(i);
      if (init) return init.dims.reduce((a, b) => a * b, 1) === 1 || (isPerChannel(init.dims) && init.data instanceof Float32Array);
      return p !== undefined && isTimeUnsqueeze(graph, p);
    });
  }
  return false;
}

/** Rewrites consumer c of y = swap(x) to read x (channels-last) and re-emits c's output name. */
function sinkInto(graph: Graph, c: GraphNode, x: string): void {
  const out = c.outputs[0]!;
  const outShape = graph.shapeOf(out);
  const hint = c.name.replace(/_node$/, '');
  const back = (value: string) => graph.nodes.push({ name: graph.uniqueName(`${hint}/nct_node`), opType: 'Transpose', inputs: [value], outputs: [out], attributes: { perm: attr.ints(SWAP) }, docString: c.docString });
  replaceNode(graph, c, () => {
    if (c.opType === 'Transpose') {
      const q = intsAttr(c, 'perm', []);
      const composed = q.map((i) => SWAP[i]!);
      if (composed.every((v, i) => v === i)) graph.nodes.push({ ...c, opType: 'Identity', inputs: [x], attributes: {} });
      else graph.nodes.push({ ...c, inputs: [x], attributes: { perm: attr.ints(composed) } });
    } else if (c.opType === 'BatchNormalization') {
      const [gamma, beta, mean, variance] = c.inputs.slice(1).map((i) => constant(graph, i)!);
      const eps = (c.attributes.epsilon?.value as number | undefined) ?? 1e-5;
      const scale = Float32Array.from(gamma!, (g, i) => g / Math.sqrt(variance![i]! + eps));
      const shift = Float32Array.from(scale, (s, i) => beta![i]! - mean![i]! * s);
      const m = graph.add('Mul', [x, graph.floatConst(`${hint}/bn_scale`, [scale.length], scale)], swapShape(outShape), {}, `${hint}/bn_mul`, c.docString);
      back(graph.add('Add', [m, graph.floatConst(`${hint}/bn_shift`, [shift.length], shift)], swapShape(outShape), {}, `${hint}/bn_add`, c.docString));
    } else if (c.opType.startsWith('Reduce')) {
      const axis = intsAttr(c, 'axes', [])[0]!; // 1, 2, -1 or -2 (canSink)
      graph.nodes.push({ ...c, inputs: [x], attributes: { ...c.attributes, axes: attr.ints([SWAP[(axis + 3) % 3]!]) } });
    } else if (c.opType === 'MaxPool') {
      // Channels-last max-pool: gather the windows [N, Tout, k, C] and take the max over k. Positions
      // in the padding are clamped to the nearest real position, which lies in the same window, so the
      // duplicate cannot change the max (exact, and no -inf Pad copy). Tiled windows are a free Reshape.
      const [n, t, ch] = graph.shapeOf(x) as [Dim, number, number];
      const k = intsAttr(c, 'kernel_shape', [])[0]!;
      const stride = intsAttr(c, 'strides', [1])[0]!;
      const [pb] = intsAttr(c, 'pads', [0, 0]) as [number, number];
      const outT = outShape[2] as number;
      let windows: string;
      if (pb === 0 && stride === k && t === outT * k) {
        windows = graph.add('Reshape', [x, graph.int64Const(`${hint}/windows_shape`, [0, outT, k, ch])], [n, outT, k, ch], {}, `${hint}/windows`, c.docString);
      } else {
        const idx = new BigInt64Array(outT * k);
        for (let o = 0; o < outT; o++) for (let j = 0; j < k; j++) idx[o * k + j] = BigInt(Math.min(Math.max(o * stride - pb + j, 0), t - 1));
        const indices = graph.addInitializer(`${hint}/window_indices`, [outT, k], idx);
        windows = graph.add('Gather', [x, indices], [n, outT, k, ch], { axis: attr.int(1) }, `${hint}/windows`, c.docString);
      }
      back(graph.add('ReduceMax', [windows], [n, outT, ch], { axes: attr.ints([2]), keepdims: attr.int(0) }, `${hint}/max`, c.docString));
    } else {
      // Unary activations and binaries.
      const inputs = c.inputs.map((i) => channelsLastOperand(graph, i)!);
      back(graph.add(c.opType, inputs, swapShape(outShape), c.attributes, `${hint}/cl`, c.docString));
    }
  });
}

export function sinkTransposes(graph: Graph): number {
  let moved = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of graph.nodes) {
      if (!isSwap(t)) continue; // perm (0, 2, 1): a rank-3 input
      const y = t.outputs[0]!;
      const users = graph.consumers(y);
      if (users.length === 0 || !users.every((c) => canSink(graph, c, y, users))) continue;
      for (const c of users) sinkInto(graph, c, t.inputs[0]!);
      moved++;
      changed = true;
      break;
    }
    removeDeadNodes(graph);
  }
  moved += hoistActivationsOverReshapes(graph);
  // Identity nodes left by cancelled pairs: read their input directly.
  for (const n of [...graph.nodes]) {
    if (n.opType !== 'Identity' || graph.outputs.some((o) => o.name === n.outputs[0])) continue;
    graph.replaceUses(n.outputs[0]!, n.inputs[0]!); // n is now dead: removed below
  }
  removeDeadNodes(graph);
  return moved;
}

/**
 * Reshape -> unary activation becomes activation -> Reshape (elementwise ops ignore shape), so the
 * activation sits right after the Gemm that a lowered conv ends in and onnxruntime fuses the two.
 */
function hoistActivationsOverReshapes(graph: Graph): number {
  let hoisted = 0;
  for (const act of [...graph.nodes]) {
    if (!UNARY.has(act.opType)) continue;
    const r = graph.producer(act.inputs[0]!);
    if (r?.opType !== 'Reshape' || graph.consumers(r.outputs[0]!).length !== 1) continue;
    const src = r.inputs[0]!;
    const pre = graph.add(act.opType, [src], graph.shapeOf(src), act.attributes, `${act.name.replace(/_node$/, '')}/pre`, act.docString);
    const preNode = graph.nodes.pop()!;
    graph.nodes.splice(graph.nodes.indexOf(r), 0, preNode);
    r.inputs = [pre, ...r.inputs.slice(1)];
    r.outputs = [act.outputs[0]!];
    graph.shapes.set(act.outputs[0]!, graph.shapeOf(act.outputs[0]!));
    graph.nodes = graph.nodes.filter((n) => n !== act);
    hoisted++;
  }
  return hoisted;
}
