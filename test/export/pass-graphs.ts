// Hand-built exporter graphs for the pass unit tests: seeded constants, onnxruntime-node runs of a
// Graph, and a check that a pass changed the graph while keeping every output (float rounding aside).
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createRng } from '../../core/random.js';
import { attr, Graph, type Attr, type Dim } from '../../export/graph.js';
import { encodeModel } from '../../export/onnx-builder.js';
import { OPSET } from '../../export/opset.js';

export { attr, Graph };

/** Seeded values in [lo, hi). */
export function values(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * rng.next());
}

/** A graph with one float input `x` of `shape`. */
export function graphWithInput(shape: Dim[]): { g: Graph; x: string } {
  const g = new Graph();
  return { g, x: g.addInput('x', shape) };
}

export function markOutput(g: Graph, name: string): void {
  g.outputs.push({ name, shape: g.shapeOf(name) });
}

/** Conv1d x[N,Cin,T] with seeded W [cout, cin/group, k] and B, "same"-free explicit pads. */
export function conv1d(
  g: Graph,
  x: string,
  cout: number,
  k: number,
  seed: number,
  opts: { pads?: [number, number]; strides?: number; dilations?: number; group?: number; bias?: boolean; extra?: Record<string, Attr> } = {},
): string {
  const [n, cin, t] = g.shapeOf(x) as [Dim, number, number];
  const { pads = [0, 0], strides = 1, dilations = 1, group = 1, bias = true } = opts;
  const w = g.floatConst('W', [cout, cin / group, k], values(cout * (cin / group) * k, seed));
  const inputs = [x, w, ...(bias ? [g.floatConst('B', [cout], values(cout, seed + 1))] : [])];
  const outT = Math.floor((t + pads[0] + pads[1] - dilations * (k - 1) - 1) / strides) + 1;
  const attributes: Record<string, Attr> = { kernel_shape: attr.ints([k]), pads: attr.ints(pads), strides: attr.ints([strides]), dilations: attr.ints([dilations]), ...opts.extra };
  if (group !== 1) attributes.group = attr.int(group);
  return g.add('Conv', inputs, [n, cout, outT], attributes, 'conv');
}

/** BatchNormalization over axis 1 with seeded gamma (in [gammaLo, gammaHi)), beta, mean and a positive variance. */
export function batchNorm(g: Graph, x: string, seed: number, gammaLo = 0.5, gammaHi = 1.5, epsilon?: number): string {
  const c = g.shapeOf(x)[1] as number;
  const params = [
    g.floatConst('gamma', [c], values(c, seed, gammaLo, gammaHi)),
    g.floatConst('beta', [c], values(c, seed + 1)),
    g.floatConst('mean', [c], values(c, seed + 2)),
    g.floatConst('var', [c], values(c, seed + 3, 0.5, 2)),
  ];
  return g.add('BatchNormalization', [x, ...params], g.shapeOf(x), epsilon === undefined ? {} : { epsilon: attr.float(epsilon) }, 'bn');
}

/** Gemm x[N, K] with seeded B [K, m] (and C [m] unless bias is false). */
export function gemm(g: Graph, x: string, m: number, seed: number, opts: { bias?: boolean; attributes?: Record<string, ReturnType<typeof attr.int>> } = {}): string {
  const [n, k] = g.shapeOf(x) as [string, number];
  const inputs = [x, g.floatConst('Wg', [k, m], values(k * m, seed)), ...(opts.bias === false ? [] : [g.floatConst('Bg', [m], values(m, seed + 1))])];
  return g.add('Gemm', inputs, [n, m], opts.attributes ?? {}, 'gemm');
}

export interface Feed {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Seeded feeds for every graph input, dynamic dims given `n`. */
export function feedsFor(g: Graph, n = 4, seed = 99): Feed[] {
  return g.inputs.map((input, i) => {
    const shape = input.shape.map((d) => (typeof d === 'number' ? d : n));
    return { name: input.name, shape, data: values(shape.reduce((a, b) => a * b, 1), seed + i) };
  });
}

/** Every graph output, in order, from onnxruntime-node (all graph optimisations off: our graph as written). */
export async function runGraph(g: Graph, feeds: Feed[]): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const bytes = encodeModel(g, { opset: OPSET, producerVersion: 'test', graphName: 'pass_test', docString: '', metadataProps: {} });
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor('float32', f.data, f.shape)])));
    return session.outputNames.map((name) => ({ data: out[name]!.data as Float32Array, dims: out[name]!.dims }));
  } finally {
    await session.release();
  }
}

export function opTypes(g: Graph): string[] {
  return g.nodes.map((n) => n.opType);
}

/**
 * Every value a node produces has the static shape the graph recorded for it (later passes choose
 * their rewrites from those shapes): each node output becomes a graph output and onnxruntime's dims
 * must equal the recorded ones; a symbolic dim (a string) matches any size. Returns the graph's own
 * outputs from that run.
 */
export async function expectRecordedShapesTrue(g: Graph, feeds: Feed[]): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const probe = Object.assign(new Graph(), g);
  const produced = g.nodes.flatMap((n) => n.outputs).filter((o) => o !== '' && !g.outputs.some((v) => v.name === o));
  probe.outputs = [...g.outputs, ...produced.map((name) => ({ name, shape: g.shapeOf(name) }))];
  const ran = await runGraph(probe, feeds);
  probe.outputs.forEach((v, i) => {
    const recorded = g.shapeOf(v.name).map((d, axis) => (typeof d === 'number' ? d : ran[i]!.dims[axis]));
    expect([...ran[i]!.dims], `recorded shape of ${v.name}`).toEqual(recorded);
  });
  return ran.slice(0, g.outputs.length); // the graph's own outputs, in order
}

/**
 * Every name a pass creates (node, value, initializer) reads as what it came from: it starts with the
 * name of a node it rewrote (less the `_node` suffix), an initializer or an input of the graph before.
 * That is what a user sees in Netron or in the placement report, and what errors name.
 */
export function expectNamesFromHints(before: Graph, after: Graph): void {
  const kept = new Set([...before.nodes.flatMap((n) => [n.name, ...n.outputs]), ...before.initializers.keys(), ...before.inputs.map((v) => v.name)]);
  // 'lift2d/': the one axes constant lift-conv-to-2d shares between every convolution it lifts.
  const hints = ['lift2d/', ...before.nodes.map((n) => n.name.replace(/_node(_\d+)?$/, '')), ...before.initializers.keys(), ...before.inputs.map((v) => v.name)];
  const created = [...after.nodes.flatMap((n) => [n.name, ...n.outputs]), ...after.initializers.keys()].filter((name) => name !== '' && !kept.has(name));
  for (const name of created) expect(hints.some((h) => name.startsWith(h)), `"${name}" starts with one of ${hints.join(', ')}`).toBe(true);
}

/**
 * Builds the graph twice, applies `pass` to the second copy, and checks that it made `changes`
 * rewrites, that both copies give the same outputs (|diff| <= atol) of the same shapes, that the
 * rewritten graph's recorded shapes are the ones onnxruntime computes, and that its new names say
 * where they came from.
 */
export async function expectPassKeepsOutputs(build: () => Graph, pass: (g: Graph) => number, changes: number, atol = 1e-5): Promise<Graph> {
  const before = build();
  const after = build();
  expect(pass(after)).toBe(changes);
  const feeds = feedsFor(before);
  const [want, got] = [await runGraph(before, feeds), await expectRecordedShapesTrue(after, feeds)];
  expect(got.length).toBe(want.length);
  got.forEach((o, i) => {
    expect(o.dims).toEqual(want[i]!.dims);
    let max = 0;
    o.data.forEach((v, j) => (max = Math.max(max, Math.abs(v - want[i]!.data[j]!))));
    expect(max).toBeLessThanOrEqual(atol);
  });
  expectNamesFromHints(before, after);
  return after;
}

/** A pass that must refuse: no change reported and the graph's nodes untouched. */
export function expectPassRefuses(build: () => Graph, pass: (g: Graph) => number): void {
  const g = build();
  const snapshot = JSON.stringify(g.nodes);
  expect(pass(g)).toBe(0);
  expect(JSON.stringify(g.nodes)).toBe(snapshot);
}
