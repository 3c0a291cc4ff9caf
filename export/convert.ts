// Conversion stage: walks the layer calls in dependency order and asks the converter table for the
// ONNX nodes of each, tracking every Keras tensor's ONNX value, static shape and layout. Any number
// of inputs and outputs; names come from ConvertOptions (the ECG contract) or from the model.
import { ModelFormatError, UnsupportedLayerError } from '@ecg-onnx/core';
import { Graph, type Dim } from './graph.js';
import { LayerConfig } from './layer-config.js';
import type { WeightTensor } from './layers-model.js';
import { identity, samePerm, transposeBetween, permute } from './layout.js';
import { CONVERTERS, supportedClasses } from './ops/table.js';
import type { ConvertContext, ConvertOptions, KerasValue } from './convert-context.js';
import type { LayerCall, ModelTopology, TensorRef } from './topology.js';

/** Layers that take integer inputs (TF.js casts their input itself); everything else needs floats. */
const INTEGER_INPUT_CLASSES = new Set(['Embedding']);
/** Layers TF.js lets a mask pass through unchanged (supportsMasking, default computeMask). */
const MASK_PRESERVING = new Set(['Activation', 'AlphaDropout', 'BatchNormalization', 'Dense', 'Dropout', 'GaussianDropout', 'GaussianNoise', 'LayerNormalization', 'PReLU', 'ReLU', 'SpatialDropout1D', 'TimeDistributed']);
/** Layers that read a mask (the recurrent converters honour it or refuse). */
const MASK_READERS = new Set(['Bidirectional', 'GRU', 'LSTM', 'SimpleRNN']);

/** Finds `layer/key`, also under Keras prefixes such as `model/gru/gru_cell/kernel:0`, optionally inside a `scope*` part. */
function findWeight(weights: Map<string, WeightTensor>, layer: string, key: string, scope?: string): WeightTensor | undefined {
  if (scope === undefined) {
    const exact = weights.get(`${layer}/${key}`);
    if (exact) return exact;
  }
  const matches = [...weights.values()].filter((w) => {
    const parts = w.name.replace(/:\d+$/, '').split('/');
    const li = parts.indexOf(layer);
    if (li < 0 || parts[parts.length - 1] !== key) return false;
    return scope === undefined || parts.slice(li + 1, -1).some((p) => p.startsWith(scope));
  });
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Default graph output names: the output layer's name, suffixed when a layer gives several outputs or
 * the name is taken (by a graph input, or an earlier output).
 */
export function defaultOutputNames(outputs: readonly TensorRef[], taken: readonly string[] = []): string[] {
  const names: string[] = [];
  for (const r of outputs) {
    let name = r.node === 0 && r.tensor === 0 ? r.layer : `${r.layer}_${r.node > 0 ? `${r.node}_` : ''}${r.tensor}`;
    for (let i = 1; names.includes(name) || taken.includes(name); i++) name = `${r.layer}_${i}`;
    names.push(name);
  }
  return names;
}

export function convertTopology(topology: ModelTopology, weights: Map<string, WeightTensor>, source: string, options: ConvertOptions = {}): Graph {
  const graph = new Graph();
  const inputNames = options.inputNames ?? topology.inputs.map((r) => r.layer);
  const outputNames = options.outputNames ?? defaultOutputNames(topology.outputs, inputNames);
  if (outputNames.length !== topology.outputs.length || inputNames.length !== topology.inputs.length) {
    throw new Error(`internal: ${inputNames.length} input / ${outputNames.length} output names for ${topology.inputs.length} / ${topology.outputs.length}`);
  }
  for (const name of outputNames) graph.reserveName(name);
  const values = new Map<string, KerasValue[]>();
  const refKey = (layer: string, node: number) => `${layer}\u0000${node}`;
  const transposed = new Map<string, string>();
  const masked = topology.calls.some((c) => c.className === 'Embedding' && (c.config.mask_zero ?? c.config.maskZero) === true);

  const graphInputOf = (layer: string) => {
    const i = topology.inputs.findIndex((r) => r.layer === layer);
    return i < 0 ? undefined : { name: inputNames[i]!, timeSymbol: inputNames.length === 1 ? 'T' : `T_${inputNames[i]}` };
  };
  const contextFor = (call: LayerCall, doc: string): ConvertContext => ({
    graph,
    call,
    cfg: new LayerConfig(call),
    doc,
    options,
    graphInput: graphInputOf(call.name),
    hint: (suffix) => `${call.name}${suffix ? `/${suffix}` : ''}`,
    weight: ((key: string, shape: number[], optional = false) => checkedWeight(findWeight(weights, call.name, key), key, shape, optional, `"${call.name}/${key}"`, doc)) as ConvertContext['weight'],
    weightShape: (key) => findWeight(weights, call.name, key)?.shape,
    scopedWeight: (scope, key, shape, optional = false) => checkedWeight(findWeight(weights, call.name, key, scope), key, shape, optional, `"${call.name}/${scope}*/${key}"`, doc),
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
    convertInner(className, config, inputs) {
      const convert = CONVERTERS.get(className);
      if (!convert || className === 'InputLayer') {
        throw new UnsupportedLayerError(`${doc}: wrapped layer class ${className} is not supported; supported: ${supportedClasses().filter((c) => c !== 'InputLayer').join(', ')}`);
      }
      return convert(contextFor({ ...call, className, config }, `${doc} > ${className}`), inputs);
    },
  });

  function checkedWeight(w: WeightTensor | undefined, key: string, shape: number[], optional: boolean, lookedFor: string, doc: string): Float32Array | undefined {
    if (!w) {
      if (optional) return undefined;
      throw new ModelFormatError(`${source}: ${doc} has no weight "${key}" in weightsManifest (looked for ${lookedFor}); the weights do not match the topology`);
    }
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new ModelFormatError(`${source}: ${doc} weight "${w.name}" has shape [${w.shape}], expected [${shape}] from the layer config`);
    }
    return w.data;
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
    if (call.className === 'InputLayer' && !topology.inputs.some((r) => r.layer === call.name)) {
      throw new ModelFormatError(`${source}: ${doc} is not listed in the model's input_layers; re-save the model`);
    }
    const integer = inputs.find((v) => v.dtype === 'int32');
    if (integer && !INTEGER_INPUT_CLASSES.has(call.className)) {
      throw new UnsupportedLayerError(`${doc}: reads the int32 tensor "${integer.name}"; only ${[...INTEGER_INPUT_CLASSES].join(', ')} takes integer inputs (TF.js too); declare the input float32 or feed it to an Embedding`);
    }
    if (masked && MASK_READERS.has(call.className) && !inputs[0]?.maskIds) {
      throw new UnsupportedLayerError(`${doc}: the model has an Embedding with mask_zero, but its mask does not reach this recurrent layer directly (TF.js then applies whichever mask it saw last); export it without mask_zero or feed the Embedding straight into the recurrent layer`);
    }
    const outs = convert(contextFor(call, doc), inputs);
    const mask = inputs[0]?.maskIds;
    const keepMask = mask !== undefined && MASK_PRESERVING.has(call.className);
    values.set(refKey(call.name, call.node), outs.map((v) => (keepMask && v.maskIds === undefined ? { ...v, maskIds: mask } : v)));
  }

  for (const [i, ref] of topology.inputs.entries()) {
    if (!graph.inputs.some((v) => v.name === inputNames[i])) throw new ModelFormatError(`${source}: model input "${ref.layer}" is not an InputLayer of the model`);
  }
  const named = new Map<string, string>();
  graph.outputs = [];
  for (const [i, ref] of topology.outputs.entries()) {
    const out = values.get(refKey(ref.layer, ref.node))?.[ref.tensor];
    if (!out) throw new ModelFormatError(`${source}: output layer "${ref.layer}" is not in the model`);
    const kerasOrder = identity(out.shape.length);
    const finalName = samePerm(out.perm, kerasOrder) ? out.name : graph.add('Transpose', [out.name], out.shape, { perm: { type: 'ints', value: transposeBetween(out.perm, kerasOrder) } }, 'output_transpose');
    nameGraphOutput(graph, finalName, out.shape, outputNames[i]!, named);
  }
  return graph;
}

/**
 * Gives an output value its graph output name by renaming it; an Identity when it is a graph input or
 * already an output under another name (`named`: value -> output name).
 */
function nameGraphOutput(graph: Graph, value: string, shape: Dim[], name: string, named: Map<string, string>): void {
  const earlier = named.get(value);
  const producer = earlier === undefined ? graph.producer(value) : undefined;
  if (!producer) {
    graph.nodes.push({ name: graph.uniqueName(`${name}_identity`), opType: 'Identity', inputs: [earlier ?? value], outputs: [name], attributes: {} });
  } else {
    producer.outputs = producer.outputs.map((o) => (o === value ? name : o));
    for (const n of graph.nodes) n.inputs = n.inputs.map((i) => (i === value ? name : i));
    named.set(value, name);
  }
  graph.shapes.set(name, shape);
  graph.outputs.push({ name, shape });
}
