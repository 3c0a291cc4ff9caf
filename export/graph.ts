// The exporter's own in-memory ONNX graph: plain objects that converters build and passes rewrite.
// Keeping it independent of the generated protobuf classes means only onnx-builder.ts touches them,
// and passes can read static shapes (needed to pick a lowering) without decoding anything.

/** A dimension: a number when static, a symbolic name (e.g. 'N' for the batch) when dynamic. */
export type Dim = number | string;

export type Attr =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] };

export const attr = Object.freeze({
  int: (value: number): Attr => ({ type: 'int', value }),
  float: (value: number): Attr => ({ type: 'float', value }),
  string: (value: string): Attr => ({ type: 'string', value }),
  ints: (value: number[]): Attr => ({ type: 'ints', value }),
  floats: (value: number[]): Attr => ({ type: 'floats', value }),
  strings: (value: string[]): Attr => ({ type: 'strings', value }),
});

export interface GraphNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attr>;
  /** Which source layer produced this node (kept through passes for error messages and doc strings). */
  docString?: string;
}

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

/** Element types a graph input can have (outputs are float32). */
export type ElemType = 'float32' | 'int32';

export interface ValueInfo {
  name: string;
  shape: Dim[];
  /** Default 'float32'. */
  dtype?: ElemType;
}

/** Mutable ONNX graph with unique-name bookkeeping and a static shape for every value. */
export class Graph {
  nodes: GraphNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  readonly shapes = new Map<string, Dim[]>();
  inputs: ValueInfo[] = [];
  outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();

  /** A fresh value/node name based on `hint` (ONNX names must be unique in the graph). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph input/output); throws if taken, which would be an exporter bug. */
  reserveName(name: string): string {
    if (this.used.has(name)) throw new Error(`internal: ONNX name "${name}" is already used`);
    this.used.add(name);
    return name;
  }

  addInput(name: string, shape: Dim[], dtype: ElemType = 'float32'): string {
    this.inputs.push(dtype === 'float32' ? { name: this.reserveName(name), shape } : { name: this.reserveName(name), shape, dtype });
    this.shapes.set(name, shape);
    return name;
  }

  addInitializer(hint: string, dims: number[], data: Float32Array | BigInt64Array | Int32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`internal: initializer ${hint} has ${data.length} values for dims [${dims}]`);
    const name = this.uniqueName(hint);
    this.initializers.set(name, { name, dims, data });
    this.shapes.set(name, dims);
    return name;
  }

  floatConst(hint: string, dims: number[], values: ArrayLike<number>): string {
    return this.addInitializer(hint, dims, Float32Array.from(values));
  }

  int64Const(hint: string, values: number[]): string {
    return this.addInitializer(hint, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Appends a node with one output whose static shape is `shape`; returns the output name. */
  add(opType: string, inputs: string[], shape: Dim[], attributes: Record<string, Attr> = {}, hint = opType, doc?: string): string {
    const out = this.uniqueName(hint);
    this.nodes.push({ name: this.uniqueName(`${hint}_node`), opType, inputs, outputs: [out], attributes, docString: doc });
    this.shapes.set(out, shape);
    return out;
  }

  /** Appends a node with several outputs ('' skips an optional output). */
  addMulti(opType: string, inputs: string[], shapes: (Dim[] | null)[], attributes: Record<string, Attr>, hint: string, doc?: string): string[] {
    const outs = shapes.map((s, i) => {
      if (s === null) return '';
      const n = this.uniqueName(`${hint}_out${i}`);
      this.shapes.set(n, s);
      return n;
    });
    this.nodes.push({ name: this.uniqueName(`${hint}_node`), opType, inputs, outputs: outs, attributes, docString: doc });
    return outs;
  }

  shapeOf(name: string): Dim[] {
    const s = this.shapes.get(name);
    if (!s) throw new Error(`internal: no shape recorded for "${name}"`);
    return s;
  }

  /** The node producing `value`, if any (graph inputs and initializers have none). */
  producer(value: string): GraphNode | undefined {
    return this.nodes.find((n) => n.outputs.includes(value));
  }

  consumers(value: string): GraphNode[] {
    const outputsUse = this.outputs.some((o) => o.name === value);
    const users = this.nodes.filter((n) => n.inputs.includes(value));
    return outputsUse ? [...users, { name: '<graph output>', opType: '<output>', inputs: [value], outputs: [], attributes: {} }] : users;
  }

  /** Rewires every use of `from` (node inputs and graph outputs) to `to`. */
  replaceUses(from: string, to: string): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
    for (const o of this.outputs) if (o.name === from) o.name = to;
  }

  countByOpType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
