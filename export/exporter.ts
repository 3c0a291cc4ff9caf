// The export stages for a model already read from its source: topology (topology.ts) -> convert
// (convert.ts + ops/) -> optimise (passes/) -> serialise (onnx-builder.ts). Two signatures:
// - the ECG contract (@ecg-onnx/core, what the runtimes serve): one float32 input INPUT_NAME [N, T, C]
//   (dynamic N) and one output OUTPUT_NAME [N, K], with the ecg.* metadata_props;
// - any other model: every input and output under the model's own names (float32 or int32 inputs,
//   any rank, dynamic batch, optionally dynamic time), with generic metadata_props.
// 'auto' picks the ECG contract whenever the model fits it. Unsupported layers or options throw
// UnsupportedLayerError.
import { INPUT_NAME, OUTPUT_NAME, UnsupportedLayerError, type ClassInfo } from '@ecg-onnx/core';
import { convertTopology } from './convert.js';
import type { Graph } from './graph.js';
import { decodeWeights, sourceSha256, type LoadedLayersModel } from './layers-model.js';
import { buildGenericMetadataProps, buildMetadataProps, type FoundMetadata, type SignatureEntry } from './model-metadata.js';
import { encodeModel } from './onnx-builder.js';
import { MIN_OPSET, OPSET } from './opset.js';
import { optimizeGraph, type OptimizeOptions, type PassReport } from './passes/index.js';
import { parseTopology } from './topology.js';
import { EXPORTER_VERSION } from './version.js';

/** 'ecg': the beat-classifier contract (refused when the model does not fit); 'generic': the model's own signature. */
export type ExportContract = 'auto' | 'ecg' | 'generic';

export interface ExportOptions extends OptimizeOptions {
  /** ONNX opset to declare, MIN_OPSET..OPSET (default OPSET). */
  opset?: number;
  /** Run the optimisation passes (default true). */
  optimize?: boolean;
  /** Graph signature and metadata (default 'auto': the ECG contract when the model fits it). */
  contract?: ExportContract;
  /** Leave the time axis of sequence inputs dynamic (recurrent models); implies the generic contract. */
  dynamicTime?: boolean;
  /** Class labels/names in output order (ECG contract; default: userDefinedMetadata, metrics.json, or "class k"). */
  classes?: ClassInfo[];
  /** Test accuracy to record (ECG contract; default: from userDefinedMetadata or metrics.json). */
  testAccuracy?: number;
  /** Export timestamp to record (default now; fix it for byte-identical files). */
  exportedAt?: string;
}

export interface ExportSummary {
  source: string;
  sourceSha256: string;
  /** Which signature and metadata the file has. */
  contract: 'ecg' | 'generic';
  opset: number;
  optimized: boolean;
  passes: PassReport[];
  nodes: number;
  nodesByOp: Record<string, number>;
  parameters: number;
  bytes: number;
  seconds: number;
  inputs: SignatureEntry[];
  outputs: SignatureEntry[];
  /** The first input's / output's shape. */
  inputShape: (number | string)[];
  outputShape: (number | string)[];
  /** ECG contract: the class labels and names; generic: []. */
  classes: ClassInfo[];
}

export interface ExportResult {
  /** The .onnx file (over a plain ArrayBuffer, so it goes straight into a Blob, a Response or a file). */
  bytes: Uint8Array<ArrayBuffer>;
  summary: ExportSummary;
}

/** Why the converted graph is not an ECG beat classifier, or undefined when it is. */
function ecgMismatch(graph: Graph): string | undefined {
  const input = graph.inputs[0]!;
  const [, length, channels] = input.shape;
  if (input.dtype === 'int32' || input.shape.length !== 3 || typeof length !== 'number' || typeof channels !== 'number') {
    return `the input has shape [${input.shape}] (${input.dtype ?? 'float32'}); the ECG contract needs one float32 input [N, T, C] with static T and C`;
  }
  const out = graph.outputs[0]!.shape;
  if (out.length !== 2 || typeof out[1] !== 'number') return `the model's output has shape [${out}]; the ECG contract needs a [N, K] output (add Flatten/GlobalPooling and Dense)`;
  return undefined;
}

function convertFor(model: LoadedLayersModel, contract: ExportContract, dynamicTime: boolean, opset: number): { graph: Graph; ecg: boolean; topologyName: string } {
  const topology = parseTopology(model.topology, model.label);
  const weights = decodeWeights(model);
  const generic = () => ({ graph: convertTopology(topology, weights, model.label, { dynamicTime, opset }), ecg: false, topologyName: topology.name });
  if (contract === 'generic') return generic();
  const refuse = (why: string) => new UnsupportedLayerError(`${model.label}: ${why}; export with contract "generic" (ecg export --contract generic) to keep the model's own signature`);
  if (topology.inputs.length !== 1 || topology.outputs.length !== 1 || dynamicTime) {
    if (contract === 'ecg') throw refuse(dynamicTime ? 'a dynamic time axis does not fit the ECG contract (its metadata records the input length)' : `the model has ${topology.inputs.length} inputs and ${topology.outputs.length} outputs; the ECG contract needs one input [N, T, C] and one output [N, K]`);
    return generic();
  }
  const graph = convertTopology(topology, weights, model.label, { inputNames: [INPUT_NAME], outputNames: [OUTPUT_NAME], opset });
  const mismatch = ecgMismatch(graph);
  if (mismatch === undefined) return { graph, ecg: true, topologyName: topology.name };
  if (contract === 'ecg') throw refuse(mismatch);
  return generic();
}

/** Exports a loaded model; `found` is what the environment found beside it (the Node entry's metrics.json). */
export async function exportLoadedModel(model: LoadedLayersModel, options: ExportOptions = {}, found: FoundMetadata = {}): Promise<ExportResult> {
  const started = performance.now();
  const opset = options.opset ?? OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > OPSET) {
    throw new UnsupportedLayerError(`opset ${opset} is not supported; supported: ${MIN_OPSET}..${OPSET} (the pinned ONNX 1.12 knows opsets up to ${OPSET})`);
  }
  const contract = options.contract ?? 'auto';
  if (!['auto', 'ecg', 'generic'].includes(contract)) throw new UnsupportedLayerError(`contract "${contract}" is not supported; supported: auto, ecg, generic`);
  const { graph, ecg, topologyName } = convertFor(model, contract, options.dynamicTime ?? false, opset);
  if (!ecg && (options.classes !== undefined || options.testAccuracy !== undefined)) {
    throw new UnsupportedLayerError(`${model.label}: classes and test accuracy are recorded for ECG beat classifiers only, and this model exports with its own signature (inputs [${graph.inputs.map((v) => v.name)}]); leave them out`);
  }
  const softmax = ecg && graph.producer(OUTPUT_NAME)?.opType === 'Softmax';
  const optimize = options.optimize ?? true;
  const passes = optimize ? optimizeGraph(graph, options) : [];
  const sha256 = await sourceSha256(model);
  const exportedAt = options.exportedAt ?? new Date().toISOString();
  const signature = {
    inputs: graph.inputs.map((v) => ({ name: v.name, shape: v.shape, dtype: v.dtype ?? 'float32' })),
    outputs: graph.outputs.map((v) => ({ name: v.name, shape: v.shape, dtype: 'float32' })),
  };
  let props: Record<string, string>;
  let classes: ClassInfo[] = [];
  let docString: string;
  if (ecg) {
    const [, inputLength, channels] = graph.inputs[0]!.shape as [string, number, number];
    const numClasses = graph.outputs[0]!.shape[1] as number;
    ({ props, classes } = buildMetadataProps(
      { classes: options.classes, testAccuracy: options.testAccuracy, userDefinedMetadata: model.userDefinedMetadata, metrics: found, label: model.label },
      { inputLength, channels, numClasses, softmax },
      sha256,
      exportedAt,
    ));
    docString = `TF.js layers model "${topologyName}" exported by ecg-onnx: input "${INPUT_NAME}" [N, ${inputLength}, ${channels}] (batch, time, channels), output "${OUTPUT_NAME}" [N, ${numClasses}].`;
  } else {
    props = buildGenericMetadataProps(topologyName, signature, model.userDefinedMetadata, sha256, exportedAt);
    const list = (vs: SignatureEntry[]) => vs.map((v) => `"${v.name}" [${v.shape.join(', ')}]${v.dtype === 'float32' ? '' : ` ${v.dtype}`}`).join(', ');
    docString = `TF.js layers model "${topologyName}" exported by ecg-onnx: inputs ${list(signature.inputs)}, outputs ${list(signature.outputs)}.`;
  }
  const bytes = encodeModel(graph, { opset, producerVersion: EXPORTER_VERSION, graphName: topologyName, docString, metadataProps: props });
  const summary: ExportSummary = {
    source: model.label,
    sourceSha256: sha256,
    contract: ecg ? 'ecg' : 'generic',
    opset,
    optimized: optimize,
    passes,
    nodes: graph.nodes.length,
    nodesByOp: graph.countByOpType(),
    parameters: [...graph.initializers.values()].reduce((s, t) => s + (t.data instanceof Float32Array ? t.data.length : 0), 0),
    bytes: bytes.length,
    seconds: (performance.now() - started) / 1000,
    ...signature,
    inputShape: signature.inputs[0]!.shape,
    outputShape: signature.outputs[0]!.shape,
    classes,
  };
  return { bytes: bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes), summary };
}

/** One line: nodes by op type, size, time. */
export function formatExportSummary(s: ExportSummary): string {
  const ops = Object.entries(s.nodesByOp).map(([op, n]) => `${op}x${n}`).join(' ');
  return `${s.nodes} nodes (${ops}), ${(s.bytes / 1024).toFixed(1)} KiB, opset ${s.opset}, ${s.optimized ? 'optimized' : 'not optimized'}, ${(s.seconds * 1000).toFixed(0)} ms`;
}
