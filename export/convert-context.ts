// The contract between the conversion stage (convert.ts) and the converter table (ops/): what a
// converter is handed and what it returns. Its own module, so ops/* and convert.ts never import each other.
import type { Graph, Dim, ElemType } from './graph.js';
import type { LayerConfig } from './layer-config.js';
import type { Perm } from './layout.js';
import type { LayerCall } from './topology.js';

/** A Keras tensor as converted: its ONNX value, Keras-order shape, and stored layout. */
export interface KerasValue {
  name: string;
  /** Shape in Keras order (channels-last unless the layer says channels_first); the batch dimension is 'N'. */
  shape: Dim[];
  perm: Perm;
  /** Element type; undefined means float32 (only graph inputs and what reads them may be int32). */
  dtype?: ElemType;
  /**
   * Keras mask carried with this value (Embedding mask_zero): the int32 token ids [N, T] whose zeros
   * are masked. Layers that ignore masks drop it; recurrent layers honour it or refuse.
   */
  maskIds?: string;
}

/** How convert.ts names the graph's inputs and outputs and treats the time axis. */
export interface ConvertOptions {
  /** Graph input name for each input layer (default: the layer's own name). */
  inputNames?: readonly string[];
  /** Graph output name for each model output (default: the output layer's name). */
  outputNames?: readonly string[];
  /** Leave axis 1 of sequence inputs ([N, T, C] floats, [N, T] ids) dynamic. */
  dynamicTime?: boolean;
  /** The opset the file declares (default OPSET): ops newer than it are composed from older ones. */
  opset?: number;
}

export interface ConvertContext {
  graph: Graph;
  call: LayerCall;
  cfg: LayerConfig;
  /** "layer NAME (Class)": the doc string of every node this layer emits. */
  doc: string;
  /** Converter options (graph naming, dynamic time). */
  options: ConvertOptions;
  /** When this call is a model input (InputLayer): its graph input name and its dynamic-time symbol. */
  graphInput: { name: string; timeSymbol: string } | undefined;
  /** A readable value-name hint: the layer name plus `suffix`. */
  hint(suffix: string): string;
  /** The layer's weight `key` (e.g. 'kernel'); checks its shape; undefined only when optional. */
  weight(key: string, shape: number[], optional?: false): Float32Array;
  weight(key: string, shape: number[], optional: true): Float32Array | undefined;
  /** The stored shape of the layer's weight `key`, or undefined (to infer what a config leaves out). */
  weightShape(key: string): number[] | undefined;
  /**
   * A weight of a wrapped layer, under a path part starting with `scope` (Bidirectional's
   * "forward_" / "backward_" layers); checks its shape.
   */
  scopedWeight(scope: string, key: string, shape: number[], optional?: boolean): Float32Array | undefined;
  /** The value stored in layout `perm`, transposing (once per value and layout) if needed. */
  as(v: KerasValue, perm: Perm): string;
  add(opType: string, inputs: string[], shape: Dim[], attributes?: Parameters<Graph['add']>[3], suffix?: string): string;
  /** Converts a wrapped layer (TimeDistributed, Bidirectional) as if it were this call's layer. */
  convertInner(className: string, config: Record<string, unknown>, inputs: KerasValue[]): KerasValue[];
}

export type Converter = (ctx: ConvertContext, inputs: KerasValue[]) => KerasValue[];
