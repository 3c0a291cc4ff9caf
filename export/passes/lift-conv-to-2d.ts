// Runs the remaining 1-D convolution chains as 2-D ops over (N, C, 1, T), so onnxruntime's CPU
// layout optimiser (NchwcTransformer, graph optimisation level 'all', x86-64 and arm64) takes them:
// it only rewrites 4-D Conv/MaxPool/AveragePool into its blocked-channel (NCHWc) kernels, fusing a
// following activation and keeping the blocked layout across Conv -> Relu -> MaxPool -> Conv. A 1-D
// Conv instead runs as one small im2col GEMM per sample. Same arithmetic, another kernel: exact up to
// float rounding. Measured on the paper model (onnxruntime-node 1.30 CPU, 2 threads, each model alone
// in its process, interleaved): batch 1024 22.6-23.2k -> 35.1-35.5k samples/s, batch 32 15-20k ->
// 28-32k; on a 16-core AVX-512 machine with 16 threads, batch 1024 51-55 ms -> 8.7 ms.
// Rewrites every 1-D Conv / MaxPool / AveragePool with a static channel count:
//   x[N,C,T] -> Unsqueeze(axes [2]) -> op with a unit leading spatial dim (kernel [1,k], pads
//   [0,b,0,e], strides [1,s], dilations [1,d], weights [O,I,1,k]) -> ...
// and keeps the 4-D tensor flowing through what the NCHWc optimiser keeps blocked too: other lifted
// ops, elementwise activations, BatchNormalization, same-shape Add/Mul/Sub/Max/Min of lifted values,
// and a per-channel shift Add(x, t[C,1]) (a BatchNorm shift moved past a pool), written as
// BatchNormalization(scale 1, B t, mean 0, var 1, epsilon 0) = x + t exactly, which the optimiser
// runs as a blocked depthwise op (a broadcast Add would force a reorder to plain NCHW and back: -6%).
// A reader needing the 3-D tensor gets one Squeeze(axes [2]) placed right after the producer.
import { attr, type Attr, type Dim, type Graph, type GraphNode } from '../graph.js';
import { addedChannelColumn } from './graph-edit.js';

const LIFTABLE = new Set(['Conv', 'MaxPool', 'AveragePool']);
const UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Identity']);
/** Same-shape binary ops of two lifted values stay 4-D (the optimiser keeps a blocked Add blocked). */
const ELEMENTWISE = new Set(['Add', 'Mul', 'Sub', 'Max', 'Min']);

const to4d = (shape: Dim[]): Dim[] => [shape[0]!, shape[1]!, 1, shape[2]!];

function liftAttributes(node: GraphNode): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const [key, a] of Object.entries(node.attributes)) {
    if (a.type === 'ints' && (key === 'kernel_shape' || key === 'strides' || key === 'dilations')) out[key] = attr.ints([1, ...a.value]);
    else if (a.type === 'ints' && key === 'pads') out[key] = attr.ints([0, a.value[0]!, 0, a.value[1]!]);
    else out[key] = a;
  }
  return out;
}

function isLiftable(graph: Graph, node: GraphNode): boolean {
  if (!LIFTABLE.has(node.opType) || node.outputs.length !== 1) return false; // a MaxPool's Indices refuse
  const x = graph.shapeOf(node.inputs[0]!);
  if (x.length !== 3 || typeof x[1] !== 'number') return false; // rank 3: a 1-D kernel
  if (node.opType !== 'Conv') return true;
  const w = graph.initializers.get(node.inputs[1]!);
  return !!w && w.dims.length === 3 && w.data instanceof Float32Array && graph.consumers(node.inputs[1]!).length === 1;
}

export function liftConvsTo2d(graph: Graph): number {
  const lifted = new Map<string, string>(); // 3-D value -> its 4-D twin
  const entry = new Map<string, string>(); // 3-D value -> its Unsqueeze, made once
  const nodes: GraphNode[] = [];
  let axes: string | undefined;
  let changes = 0;
  const unitAxis = () => (axes ??= graph.int64Const('lift2d/axes', [2]));
  const emit = (opType: string, inputs: string[], output: string, attributes: Record<string, Attr>, from: GraphNode) =>
    nodes.push({ name: graph.uniqueName(`${output}_node`), opType, inputs, outputs: [output], attributes, docString: from.docString });
  const name4d = (value: string): string => {
    const name = graph.uniqueName(`${value}/4d`);
    graph.shapes.set(name, to4d(graph.shapeOf(value)));
    return name;
  };
  /** A fresh 4-D name for the output `value` of a node being lifted. */
  const twin = (value: string): string => {
    const name = name4d(value);
    lifted.set(value, name);
    return name;
  };
  /** The 4-D form of an input: its lifted twin, or an Unsqueeze of it (made once). */
  const fourD = (value: string, from: GraphNode): string => {
    const known = lifted.get(value) ?? entry.get(value);
    if (known) return known;
    const name = name4d(value);
    emit('Unsqueeze', [value, unitAxis()], name, {}, from);
    entry.set(value, name);
    return name;
  };

  for (const node of graph.nodes) {
    const x = node.inputs[0];
    if (isLiftable(graph, node)) {
      const inputs = [fourD(x!, node), ...node.inputs.slice(1)];
      if (node.opType === 'Conv') {
        const w = graph.initializers.get(node.inputs[1]!)!;
        inputs[1] = graph.addInitializer(`${node.inputs[1]}/4d`, [w.dims[0]!, w.dims[1]!, 1, w.dims[2]!], w.data);
      }
      emit(node.opType, inputs, twin(node.outputs[0]!), liftAttributes(node), node);
      changes++;
      continue;
    }
    if (x !== undefined && lifted.has(x)) {
      const out = node.outputs[0]!;
      if (UNARY.has(node.opType)) {
        emit(node.opType, [lifted.get(x)!], twin(out), node.attributes, node);
        continue;
      }
      if (node.opType === 'BatchNormalization' && node.outputs.length === 1) {
        emit(node.opType, [lifted.get(x)!, ...node.inputs.slice(1)], twin(out), node.attributes, node);
        continue;
      }
      const y = node.inputs[1];
      if (ELEMENTWISE.has(node.opType) && y !== undefined && lifted.has(y) && graph.shapeOf(x).join() === graph.shapeOf(y).join()) {
        emit(node.opType, [lifted.get(x)!, lifted.get(y)!], twin(out), node.attributes, node);
        continue;
      }
      const t = addedChannelColumn(graph, node);
      if (t) {
        const c = t.length;
        const ones = new Float32Array(c).fill(1);
        const bn = [graph.floatConst(`${out}/one`, [c], ones), graph.floatConst(`${out}/shift`, [c], t), graph.floatConst(`${out}/zero`, [c], new Float32Array(c)), graph.floatConst(`${out}/unit_var`, [c], ones)];
        emit('BatchNormalization', [lifted.get(x)!, ...bn], twin(out), { epsilon: attr.float(0) }, node);
        continue;
      }
    }
    nodes.push(node);
  }

  // Readers of a lifted value that were not lifted themselves (and graph outputs) get the 3-D tensor
  // back through a Squeeze right after its producer; values nobody reads in 3-D need none.
  const readers3d = new Set<string>([...nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  const sourceOf = new Map([...lifted].map(([three, four]) => [four, three]));
  graph.nodes = nodes.flatMap((n) => {
    const out = n.outputs[0]!;
    const source = sourceOf.get(out);
    if (source === undefined || !readers3d.has(source)) return [n];
    return [n, { name: graph.uniqueName(`${source}/3d_node`), opType: 'Squeeze', inputs: [out, unitAxis()], outputs: [source], attributes: {}, docString: n.docString }];
  });
  return changes;
}
