// The only module that touches the generated protobuf classes (generated/, from proto/onnx.proto): turns the exporter's
// Graph into ModelProto bytes, and reads a .onnx back into a plain summary for `ecg inspect` and tests.
import { ModelFormatError } from '@ecg-onnx/core';
import { onnx } from './generated/onnx.js';
import type { Attr, Dim, ElemType, Graph } from './graph.js';
import { IR_VERSION, PRODUCER_NAME } from './opset.js';

export interface ModelFields {
  opset: number;
  producerVersion: string;
  graphName: string;
  docString: string;
  metadataProps: Record<string, string>;
}

const utf8 = new TextEncoder();
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

function attributeProto(name: string, a: Attr): onnx.AttributeProto.$Properties {
  switch (a.type) {
    case 'int':
      return { name, type: A.INT, i: a.value };
    case 'float':
      return { name, type: A.FLOAT, f: a.value };
    case 'string':
      return { name, type: A.STRING, s: utf8.encode(a.value) };
    case 'ints':
      return { name, type: A.INTS, ints: a.value };
    case 'floats':
      return { name, type: A.FLOATS, floats: a.value };
    case 'strings':
      return { name, type: A.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
  }
}

function valueInfo(name: string, shape: Dim[], dtype: ElemType = 'float32'): onnx.ValueInfoProto.$Properties {
  return {
    name,
    type: {
      tensorType: {
        elemType: dtype === 'int32' ? T.INT32 : T.FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** TensorProto.raw_data is little-endian: the typed array's own bytes on such hosts, else DataView-written. */
export function littleEndianBytes(data: Float32Array | BigInt64Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new DataView(new ArrayBuffer(data.byteLength));
  if (data instanceof Float32Array) data.forEach((v, i) => out.setFloat32(i * 4, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => out.setInt32(i * 4, v, true));
  else data.forEach((v, i) => out.setBigInt64(i * 8, v, true));
  return new Uint8Array(out.buffer);
}

export function encodeModel(graph: Graph, fields: ModelFields): Uint8Array {
  const initializer = [...graph.initializers.values()].map((t) => ({
    name: t.name,
    dims: t.dims,
    dataType: t.data instanceof Float32Array ? T.FLOAT : t.data instanceof Int32Array ? T.INT32 : T.INT64,
    rawData: littleEndianBytes(t.data),
  }));
  const model: onnx.ModelProto.$Properties = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: fields.opset }],
    producerName: PRODUCER_NAME,
    producerVersion: fields.producerVersion,
    docString: fields.docString,
    graph: {
      name: fields.graphName,
      docString: fields.docString,
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.inputs,
        output: n.outputs,
        docString: n.docString ?? '',
        attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a)),
      })),
      initializer,
      input: graph.inputs.map((v) => valueInfo(v.name, v.shape, v.dtype)),
      output: graph.outputs.map((v) => valueInfo(v.name, v.shape)),
    },
    metadataProps: Object.entries(fields.metadataProps).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(model).finish();
}

export interface OnnxNodeSummary {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, number | string | number[] | string[]>;
}

export interface OnnxModelSummary {
  irVersion: number;
  opset: number;
  producer: string;
  graphName: string;
  docString: string;
  /** dtype: 'float32', 'int32', ... (lower-case TensorProto type name). */
  inputs: { name: string; shape: Dim[]; dtype: string }[];
  outputs: { name: string; shape: Dim[]; dtype: string }[];
  metadata: Record<string, string>;
  nodes: OnnxNodeSummary[];
  nodesByOp: Record<string, number>;
  initializers: { name: string; dims: number[] }[];
  parameters: number;
}

const decodeText = new TextDecoder();

function attributeValue(a: onnx.AttributeProto): number | string | number[] | string[] {
  switch (a.type) {
    case A.INT:
      return Number(a.i);
    case A.FLOAT:
      return a.f;
    case A.STRING:
      return decodeText.decode(a.s);
    case A.INTS:
      return a.ints.map(Number);
    case A.FLOATS:
      return a.floats;
    case A.STRINGS:
      return a.strings.map((s) => decodeText.decode(s));
    default:
      return `<${A[a.type] ?? a.type}>`;
  }
}

export function decodeModel(bytes: Uint8Array, source = 'model'): OnnxModelSummary {
  let m: onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelFormatError(`${source}: not an ONNX model (${(e as Error).message})`);
  }
  if (!m.graph) throw new ModelFormatError(`${source}: ONNX file has no graph`);
  const shapeOf = (v: onnx.ValueInfoProto.$Properties): Dim[] =>
    (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0)));
  const dtypeOf = (v: onnx.ValueInfoProto.$Properties): string => {
    const t = T[v.type?.tensorType?.elemType ?? 0] ?? 'UNDEFINED';
    return t === 'FLOAT' ? 'float32' : t === 'DOUBLE' ? 'float64' : t.toLowerCase();
  };
  const nodes = (m.graph.node ?? []).map((n) => ({
    name: n.name ?? '',
    opType: n.opType ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a as onnx.AttributeProto)])),
  }));
  const nodesByOp: Record<string, number> = {};
  for (const n of nodes) nodesByOp[n.opType] = (nodesByOp[n.opType] ?? 0) + 1;
  const initializers = (m.graph.initializer ?? []).map((t) => ({ name: t.name ?? '', dims: (t.dims ?? []).map(Number) }));
  return {
    irVersion: Number(m.irVersion),
    opset: Number((m.opsetImport ?? []).find((o) => !o.domain)?.version ?? 0),
    producer: `${m.producerName} ${m.producerVersion}`.trim(),
    graphName: m.graph.name ?? '',
    docString: m.docString ?? '',
    inputs: (m.graph.input ?? []).map((v) => ({ name: v.name ?? '', shape: shapeOf(v), dtype: dtypeOf(v) })),
    outputs: (m.graph.output ?? []).map((v) => ({ name: v.name ?? '', shape: shapeOf(v), dtype: dtypeOf(v) })),
    metadata: Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    nodes,
    nodesByOp: Object.fromEntries(Object.entries(nodesByOp).sort(([a], [b]) => (a < b ? -1 : 1))),
    initializers,
    parameters: initializers.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0),
  };
}

/**
 * One model whose output is the mean of the members' outputs (an ensemble in one file): each member's
 * graph with its names prefixed m<k>/, all reading the first member's one input, and a Mean node that
 * gives the first member's output name to the average. Members must share input and output signatures.
 */
export function averageModels(members: readonly Uint8Array[], metadataProps: Record<string, string>, source = 'ensemble'): Uint8Array {
  const graphs = members.map((b, k) => {
    const m = onnx.ModelProto.decode(b);
    const g = m.graph;
    if (!g || g.input?.length !== 1 || g.output?.length !== 1) throw new ModelFormatError(`${source}: member ${k} is not a one-input, one-output model`);
    return { m, g, input: g.input[0]!, output: g.output[0]! };
  });
  const first = graphs[0]!;
  const bytesOf = (v: onnx.IValueInfoProto) => Array.from(onnx.ValueInfoProto.encode(v).finish()).join(',');
  const signature = (x: (typeof graphs)[number]) => `${bytesOf(x.input)}|${bytesOf(x.output)}|${JSON.stringify((x.m.opsetImport ?? []).map((o) => [o.domain ?? '', Number(o.version)]))}`;
  graphs.forEach((x, k) => {
    if (signature(x) !== signature(first)) throw new ModelFormatError(`${source}: member ${k}'s input, output or opset differ from member 0's`);
  });
  const inputName = first.input.name ?? '';
  const outputName = first.output.name ?? '';
  const node: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  const averaged: string[] = [];
  graphs.forEach(({ g }, k) => {
    const rename = (name: string) => (name === '' || name === inputName ? name : `m${k}/${name}`);
    for (const n of g.node ?? []) {
      node.push({ name: n.name ? rename(n.name) : '', opType: n.opType, domain: n.domain, docString: n.docString, attribute: n.attribute, input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename) });
    }
    for (const t of g.initializer ?? []) initializer.push({ ...t, name: rename(t.name ?? '') });
    averaged.push(rename(outputName));
  });
  node.push({ name: 'ensemble_mean', opType: 'Mean', input: averaged, output: [outputName], docString: `mean of the ${graphs.length} members' ${outputName}` });
  const model: onnx.IModelProto = {
    irVersion: first.m.irVersion,
    opsetImport: first.m.opsetImport,
    producerName: first.m.producerName,
    producerVersion: first.m.producerVersion,
    docString: `${first.m.docString ?? ''} An ensemble: the mean of ${graphs.length} members.`.trim(),
    graph: { name: `${first.g.name ?? 'model'}_ensemble`, docString: first.g.docString, node, initializer, input: [first.input], output: [first.output] },
    metadataProps: Object.entries(metadataProps).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(model).finish();
}
