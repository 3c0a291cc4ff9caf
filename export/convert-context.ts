// The contract between the conversion stage (convert.ts) and the converter table (ops/): what a
// converter is handed and what it returns. Its own module, so ops/* and convert.ts never import each other.
import type { Graph, Dim } from './graph.js';
import type { LayerConfig } from './layer-config.js';
import type { Perm } from './layout.js';
import type { LayerCall } from './topology.js';

/** A Keras tensor as converted: its ONNX value, Keras-order shape, and stored layout. */
export interface KerasValue {
  name: string;
  /** Shape in Keras (channels-last) order; the batch dimension is 'N'. */
  shape: Dim[];
  perm: Perm;
}

export interface ConvertContext {
  graph: Graph;
  call: LayerCall;
  cfg: LayerConfig;
  /** "layer NAME (Class)": the doc string of every node this layer emits. */
  doc: string;
  /** A readable value-name hint: the layer name plus `suffix`. */
  hint(suffix: string): string;
  /** The layer's weight `key` (e.g. 'kernel'); checks its shape; undefined only when optional. */
  weight(key: string, shape: number[], optional?: false): Float32Array;
  weight(key: string, shape: number[], optional: true): Float32Array | undefined;
  /** The value stored in layout `perm`, transposing (once per value and layout) if needed. */
  as(v: KerasValue, perm: Perm): string;
  add(opType: string, inputs: string[], shape: Dim[], attributes?: Parameters<Graph['add']>[3], suffix?: string): string;
}

export type Converter = (ctx: ConvertContext, inputs: KerasValue[]) => KerasValue[];
