// Small graph-editing helpers the passes share: constant lookup (incl. a per-channel shift), node
// insertion before a given node, and removal of nodes whose outputs nobody reads.
import type { Graph, GraphNode } from '../graph.js';

export function constant(graph: Graph, name: string | undefined): Float32Array | undefined {
  if (name === undefined) return undefined;
  const t = graph.initializers.get(name);
  return t && t.data instanceof Float32Array ? t.data : undefined;
}

/** The one node reading `value`, or undefined when none or several do (then a rewrite is unsafe). */
export function soleConsumer(graph: Graph, value: string): GraphNode | undefined {
  const c = graph.consumers(value);
  return c.length === 1 ? c[0] : undefined;
}

/**
 * t of Add(x, t) when t is a constant per-channel column [C, 1] for a channels-first x [N, C, T]
 * (e.g. a BatchNorm shift moved past a pool), else undefined.
 */
export function addedChannelColumn(graph: Graph, add: GraphNode): Float32Array | undefined {
  if (add.opType !== 'Add' || add.inputs.length !== 2) return undefined;
  const t = constant(graph, add.inputs[1]);
  const dims = graph.initializers.get(add.inputs[1]!)?.dims;
  return t && dims?.length === 2 && dims[0] === graph.shapeOf(add.inputs[0]!)[1] && dims[1] === 1 ? t : undefined;
}

export function intsAttr(node: GraphNode, key: string, fallback: number[]): number[] {
  const a = node.attributes[key];
  return a && a.type === 'ints' ? a.value : fallback;
}

/** Drops nodes whose outputs are unused, then initializers no node reads. Returns nodes removed. */
export function removeDeadNodes(graph: Graph): number {
  let removed = 0;
  for (;;) {
    const used = new Set<string>(graph.outputs.map((o) => o.name));
    for (const n of graph.nodes) for (const i of n.inputs) used.add(i);
    const keep = graph.nodes.filter((n) => n.outputs.some((o) => o !== '' && used.has(o)));
    if (keep.length === graph.nodes.length) break;
    removed += graph.nodes.length - keep.length;
    graph.nodes = keep;
  }
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  for (const name of [...graph.initializers.keys()]) if (!read.has(name)) graph.initializers.delete(name);
  return removed;
}

/**
 * Replaces `node` by the nodes `build` appends (they are moved to node's position, keeping the
 * list in topological order).
 */
export function replaceNode(graph: Graph, node: GraphNode, build: () => void): void {
  const at = graph.nodes.indexOf(node);
  const before = graph.nodes.length;
  build();
  const added = graph.nodes.splice(before);
  graph.nodes.splice(at, 1, ...added);
}

/** Reshape(Reshape(x, a), b) -> Reshape(x, b) when the inner result has no other reader and b has no 0 (copy) entries. */
export function mergeReshapes(graph: Graph): number {
  let merged = 0;
  for (const outer of [...graph.nodes]) {
    if (outer.opType !== 'Reshape') continue;
    const inner = graph.producer(outer.inputs[0]!);
    if (inner?.opType !== 'Reshape' || graph.consumers(inner.outputs[0]!).length !== 1) continue;
    const shape = graph.initializers.get(outer.inputs[1]!)?.data;
    if (!shape || Array.from(shape as BigInt64Array).some((d) => d === 0n)) continue;
    outer.inputs = [inner.inputs[0]!, outer.inputs[1]!];
    graph.nodes = graph.nodes.filter((n) => n !== inner);
    merged++;
  }
  return merged;
}
