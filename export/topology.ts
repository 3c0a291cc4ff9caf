// Turns a Keras modelTopology (Functional/Model or Sequential; tfjs-layers, Keras 2 and Keras 3
// spellings) into layer calls in dependency order. Shared layers become one call per use.
import { ModelFormatError, UnsupportedLayerError } from '@ecg-onnx/core';

/** Reference to one output tensor of one call of a layer (Keras: [layer, node index, tensor index]). */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface LayerCall {
  /** Layer name (unique in the model; weights are found under it). */
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Which call of a shared layer this is (0 for the usual single call). */
  node: number;
  inputs: TensorRef[];
}

export interface ModelTopology {
  name: string;
  calls: LayerCall[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

const NESTED = new Set(['Model', 'Functional', 'Sequential']);

export function parseTopology(raw: Record<string, unknown>, source: string): ModelTopology {
  // tensorflowjs_converter from a Keras .h5 wraps it: {model_config: {class_name, config}, training_config}.
  const top = (raw.model_config ?? raw) as { class_name?: string; config?: unknown };
  const cls = top.class_name;
  if (cls === 'Sequential') return parseSequential(top.config, source);
  if (cls === 'Model' || cls === 'Functional') return parseFunctional(top.config as Record<string, unknown>, source);
  throw new ModelFormatError(`${source}: modelTopology class_name "${String(cls)}" is not a Keras model; expected Sequential, Model or Functional`);
}

function layerList(config: unknown, source: string): Record<string, unknown>[] {
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelFormatError(`${source}: modelTopology has no layers`);
  for (const l of layers as Record<string, unknown>[]) {
    const c = l.class_name;
    if (typeof c !== 'string' || typeof l.config !== 'object' || l.config === null) throw new ModelFormatError(`${source}: a layer entry lacks class_name/config`);
    if (NESTED.has(c)) {
      throw new UnsupportedLayerError(`layer "${layerName(l)}" (${c}): nested models are not supported; rebuild the model flat (one functional graph) and export that`);
    }
  }
  return layers as Record<string, unknown>[];
}

function layerName(l: Record<string, unknown>): string {
  return String(l.name ?? (l.config as { name?: unknown }).name ?? '?');
}

function parseSequential(config: unknown, source: string): ModelTopology {
  const layers = layerList(config, source);
  const calls: LayerCall[] = [];
  const first = layers[0]!;
  let prev: string;
  if (first.class_name === 'InputLayer') {
    prev = layerName(first);
    calls.push({ name: prev, className: 'InputLayer', config: first.config as Record<string, unknown>, node: 0, inputs: [] });
  } else {
    const fc = first.config as Record<string, unknown>;
    const shape = fc.batch_input_shape ?? fc.batch_shape ?? fc.batchInputShape;
    if (!Array.isArray(shape)) {
      throw new ModelFormatError(`${source}: Sequential model's first layer "${layerName(first)}" has no batch_input_shape; build it with inputShape so the input size is known`);
    }
    prev = `${layerName(first)}_input`;
    calls.push({ name: prev, className: 'InputLayer', config: { batch_input_shape: shape, dtype: fc.dtype ?? 'float32' }, node: 0, inputs: [] });
  }
  for (const l of layers.slice(first.class_name === 'InputLayer' ? 1 : 0)) {
    const name = layerName(l);
    calls.push({ name, className: String(l.class_name), config: l.config as Record<string, unknown>, node: 0, inputs: [{ layer: prev, node: 0, tensor: 0 }] });
    prev = name;
  }
  return {
    name: String((config as { name?: unknown }).name ?? 'sequential'),
    calls,
    inputs: [{ layer: calls[0]!.name, node: 0, tensor: 0 }],
    outputs: [{ layer: prev, node: 0, tensor: 0 }],
  };
}

/** Keras 2 / tfjs: [[name, node, tensor, kwargs], ...]; Keras 3: {args: [{config: {keras_history}}]}. */
function inboundRefs(node: unknown, where: string): TensorRef[] {
  if (Array.isArray(node)) {
    return node.map((r) => {
      if (!Array.isArray(r) || typeof r[0] !== 'string') throw new ModelFormatError(`${where}: malformed inbound node entry ${JSON.stringify(r)}`);
      return { layer: r[0], node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) };
    });
  }
  const refs: TensorRef[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const h = (v as { config?: { keras_history?: unknown } }).config?.keras_history;
      if (Array.isArray(h)) refs.push({ layer: String(h[0]), node: Number(h[1]), tensor: Number(h[2]) });
      else Object.values(v).forEach(visit);
    }
  };
  visit((node as { args?: unknown })?.args);
  if (refs.length === 0) throw new ModelFormatError(`${where}: cannot read inbound node ${JSON.stringify(node).slice(0, 200)}`);
  return refs;
}

function refList(v: unknown, what: string, source: string): TensorRef[] {
  if (!Array.isArray(v) || v.length === 0) throw new ModelFormatError(`${source}: modelTopology config has no ${what}`);
  // A single ref may be written unwrapped: ["name", 0, 0].
  const list = typeof v[0] === 'string' ? [v] : v;
  return (list as unknown[][]).map((r) => ({ layer: String(r[0]), node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) }));
}

function parseFunctional(config: Record<string, unknown>, source: string): ModelTopology {
  const layers = layerList(config, source);
  const pending: LayerCall[] = [];
  for (const l of layers) {
    const name = layerName(l);
    const inbound = (l.inbound_nodes ?? []) as unknown[];
    if (l.class_name === 'InputLayer' || inbound.length === 0) {
      pending.push({ name, className: String(l.class_name), config: l.config as Record<string, unknown>, node: 0, inputs: [] });
      continue;
    }
    inbound.forEach((node, i) => {
      pending.push({ name, className: String(l.class_name), config: l.config as Record<string, unknown>, node: i, inputs: inboundRefs(node, `${source}: layer "${name}"`) });
    });
  }
  // Dependency order: Keras lists layers in creation order, which shared layers can break.
  const done = new Set<string>();
  const key = (layer: string, node: number) => `${layer}\u0000${node}`;
  const calls: LayerCall[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((c) => c.inputs.every((r) => done.has(key(r.layer, r.node))));
    if (i < 0) {
      const c = pending[0]!;
      const missing = c.inputs.find((r) => !done.has(key(r.layer, r.node)))!;
      throw new ModelFormatError(`${source}: layer "${c.name}" takes input from "${missing.layer}" call ${missing.node}, which is not in the model (or forms a cycle)`);
    }
    const [call] = pending.splice(i, 1);
    calls.push(call!);
    done.add(key(call!.name, call!.node));
  }
  return {
    name: String(config.name ?? 'model'),
    calls,
    inputs: refList(config.input_layers, 'input_layers', source),
    outputs: refList(config.output_layers, 'output_layers', source),
  };
}
