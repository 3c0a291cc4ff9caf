// Conversion stage: walks the layer calls in dependency order and asks the converter table for the
// ONNX nodes of each, tracking every Keras tensor's ONNX value, static shape and layout.
import { INPUT_NAME, ModelFormatError, OUTPUT_NAME, UnsupportedLayerError } from '@ecg-onnx/core';
import { Graph, type Dim } from './graph.js';
import { LayerConfig } from './layer-config.js';
import type { WeightTensor } from './layers-model.js';
import { identity, samePerm, transposeBetween, permute, type Perm } from './layout.js';
import { CONVERTERS, supportedClasses } from './ops/table.js';
import type { ConvertContext, KerasValue } from './convert-context.js';
import type { ModelTopology } from './topology.js';

/** Finds `layer/key`, also under Keras prefixes such as `model/gru/gru_cell/kernel:0`. */
function findWeight(weights: Map<string, WeightTensor>, layer: string, key: string): WeightTensor | undefined {
  const exact = weights.get(`${layer}/${key}`);
  if (exact) return exact;
  const matches = [...weights.values()].filter((w) => {
    const parts = w.name.replace(/:\d+$/, '').split('/');
    const li = parts.indexOf(layer);
    return li >= 0 && parts[parts.length - 1] === key;
  });
  return matches.length === 1 ? matches[0] : undefined;
}

export function convertTopology(topology: ModelTopology, weights: Map<string, WeightTensor>, source: string): Graph {
  const graph = new Graph();
  graph.reserveName(OUTPUT_NAME);
  const values = new Map<string, KerasValue[]>();
  const refKey = (layer: string, node: number) => `${layer}\u0000${node}`;
  const transposed = new Map<string, string>();
  if (topology.inputs.length !== 1 || topology.outputs.length !== 1) {
    throw new UnsupportedLayerError(`${source}: the model has ${topology.inputs.length} inputs and ${topology.outputs.length} outputs; the exporter supports one input [N, T, C] and one output`);
  }

  for (const call of topology.calls) {
    const convert = CONVERTERS.get(call.className);
    if (!convert) {
      throw new UnsupportedLayerError(`layer "${call.name}" (${call.className}): layer class not supported; supported: ${supportedClasses().join(', ')}`);
    }
    const inputs = call.inputs.map((r) => {
      const v = values.get(refKey(r.layer, r.node))?.[r.tensor];
      if (!v) throw new ModelFormatError(`${source}: layer "${call.name}" reads output ${r.tensor} of "${r.layer}", which does not exist`);
      return v;
    });
    const doc = `layer ${call.name} (${call.className})`;
    const ctx: ConvertContext = {
      graph,
      call,
      cfg: new LayerConfig(call),
      doc,
      hint: (suffix) => `${call.name}${suffix ? `/${suffix}` : ''}`,
      weight: ((key: string, shape: number[], optional = false) => {
        const w = findWeight(weights, call.name, key);
        if (!w) {
          if (optional) return undefined;
          throw new ModelFormatError(`${source}: ${doc} has no weight "${key}" in weightsManifest (looked for "${call.name}/${key}"); the weights do not match the topology`);
        }
        if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
          throw new ModelFormatError(`${source}: ${doc} weight "${w.name}" has shape [${w.shape}], expected [${shape}] from the layer config`);
        }
        return w.data;
      }) as ConvertContext['weight'],
      as(v, perm) {
        if (samePerm(v.perm, perm)) return v.name;
        const k = `${v.name}\u0000${perm.join(',')}`;
        let t = transposed.get(k);
        if (!t) {
          t = graph.add('Transpose', [v.name], permute(v.shape, perm), { perm: { type: 'ints', value: transposeBetween(v.perm, perm) } }, `${v.name}/to_${perm.join('')}`, doc);
          transposed.set(k, t);
        }
        return t;
      },
      add: (opType, inputs, shape, attributes = {}, suffix = opType) => graph.add(opType, inputs, shape, attributes, `${call.name}/${suffix}`, doc),
    };
    if (call.className === 'InputLayer' && topology.inputs[0]!.layer !== call.name) {
      throw new UnsupportedLayerError(`${doc}: only one model input is supported`);
    }
    values.set(refKey(call.name, call.node), convert(ctx, inputs));
  }

  const outRef = topology.outputs[0]!;
  const out = values.get(refKey(outRef.layer, outRef.node))?.[outRef.tensor];
  if (!out) throw new ModelFormatError(`${source}: output layer "${outRef.layer}" is not in the model`);
  const kerasOrder = identity(out.shape.length);
  const finalName = samePerm(out.perm, kerasOrder) ? out.name : (graph.add('Transpose', [out.name], out.shape, { perm: { type: 'ints', value: transposeBetween(out.perm, kerasOrder) } }, 'output_transpose'));
  nameGraphOutput(graph, finalName, out.shape);
  if (graph.inputs[0]?.name !== INPUT_NAME) throw new ModelFormatError(`${source}: the model has no InputLayer`);
  return graph;
}

/** Gives the output value the contract name OUTPUT_NAME (an Identity only if it is the input itself). */
function nameGraphOutput(graph: Graph, value: string, shape: Dim[]): void {
  const producer = graph.producer(value);
  if (!producer) {
    graph.nodes.push({ name: 'output_identity', opType: 'Identity', inputs: [value], outputs: [OUTPUT_NAME], attributes: {} });
  } else {
    producer.outputs = producer.outputs.map((o) => (o === value ? OUTPUT_NAME : o));
    for (const n of graph.nodes) n.inputs = n.inputs.map((i) => (i === value ? OUTPUT_NAME : i));
  }
  graph.shapes.set(OUTPUT_NAME, shape);
  graph.outputs = [{ name: OUTPUT_NAME, shape }];
}
