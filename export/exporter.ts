// The export stages for a model already read from its source: topology (topology.ts) -> convert
// (convert.ts + ops/) -> optimise (passes/) -> serialise (onnx-builder.ts). The graph input is
// INPUT_NAME [N, T, C] (dynamic N), the output OUTPUT_NAME [N, K]; metadata_props follow the
// @ecg-onnx/core contract. Unsupported layers or options throw UnsupportedLayerError.
import { INPUT_NAME, OUTPUT_NAME, UnsupportedLayerError, type ClassInfo } from '@ecg-onnx/core';
import { convertTopology } from './convert.js';
import { decodeWeights, sourceSha256, type LoadedLayersModel } from './layers-model.js';
import { buildMetadataProps, type FoundMetadata } from './model-metadata.js';
import { encodeModel } from './onnx-builder.js';
import { MIN_OPSET, OPSET } from './opset.js';
import { optimizeGraph, type OptimizeOptions, type PassReport } from './passes/index.js';
import { parseTopology } from './topology.js';
import { EXPORTER_VERSION } from './version.js';

export interface ExportOptions extends OptimizeOptions {
  /** ONNX opset to declare, MIN_OPSET..OPSET (default OPSET). */
  opset?: number;
  /** Run the optimisation passes (default true). */
  optimize?: boolean;
  /** Class labels/names in output order (default: userDefinedMetadata, metrics.json, or "class k"). */
  classes?: ClassInfo[];
  /** Test accuracy to record (default: from userDefinedMetadata or metrics.json). */
  testAccuracy?: number;
  /** Export timestamp to record (default now; fix it for byte-identical files). */
  exportedAt?: string;
}

export interface ExportSummary {
  source: string;
  sourceSha256: string;
  opset: number;
  optimized: boolean;
  passes: PassReport[];
  nodes: number;
  nodesByOp: Record<string, number>;
  parameters: number;
  bytes: number;
  seconds: number;
  inputShape: (number | string)[];
  outputShape: (number | string)[];
  classes: ClassInfo[];
}

export interface ExportResult {
  /** The .onnx file (over a plain ArrayBuffer, so it goes straight into a Blob, a Response or a file). */
  bytes: Uint8Array<ArrayBuffer>;
  summary: ExportSummary;
}

/** Exports a loaded model; `found` is what the environment found beside it (the Node entry's metrics.json). */
export async function exportLoadedModel(model: LoadedLayersModel, options: ExportOptions = {}, found: FoundMetadata = {}): Promise<ExportResult> {
  const started = performance.now();
  const opset = options.opset ?? OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > OPSET) {
    throw new UnsupportedLayerError(`opset ${opset} is not supported; supported: ${MIN_OPSET}..${OPSET} (the pinned ONNX 1.12 knows opsets up to ${OPSET})`);
  }
  const topology = parseTopology(model.topology, model.label);
  const graph = convertTopology(topology, decodeWeights(model), model.label);
  const [, inputLength, channels] = graph.inputs[0]!.shape as [string, number, number];
  const outShape = graph.outputs[0]!.shape;
  const numClasses = outShape[1];
  if (outShape.length !== 2 || typeof numClasses !== 'number') {
    throw new UnsupportedLayerError(`${model.label}: the model's output has shape [${outShape}]; the exporter supports a [N, K] output (add Flatten/GlobalPooling and Dense)`);
  }
  const softmax = graph.producer(OUTPUT_NAME)?.opType === 'Softmax';
  const optimize = options.optimize ?? true;
  const passes = optimize ? optimizeGraph(graph, options) : [];
  const sha256 = await sourceSha256(model);
  const { props, classes } = buildMetadataProps(
    { classes: options.classes, testAccuracy: options.testAccuracy, userDefinedMetadata: model.userDefinedMetadata, metrics: found, label: model.label },
    { inputLength, channels, numClasses, softmax },
    sha256,
    options.exportedAt ?? new Date().toISOString(),
  );
  const bytes = encodeModel(graph, {
    opset,
    producerVersion: EXPORTER_VERSION,
    graphName: topology.name,
    docString: `TF.js layers model "${topology.name}" exported by ecg-onnx: input "${INPUT_NAME}" [N, ${inputLength}, ${channels}] (batch, time, channels), output "${OUTPUT_NAME}" [N, ${numClasses}].`,
    metadataProps: props,
  });
  const summary: ExportSummary = {
    source: model.label,
    sourceSha256: sha256,
    opset,
    optimized: optimize,
    passes,
    nodes: graph.nodes.length,
    nodesByOp: graph.countByOpType(),
    parameters: [...graph.initializers.values()].reduce((s, t) => s + (t.data instanceof Float32Array ? t.data.length : 0), 0),
    bytes: bytes.length,
    seconds: (performance.now() - started) / 1000,
    inputShape: graph.inputs[0]!.shape,
    outputShape: outShape,
    classes,
  };
  return { bytes: bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes), summary };
}

/** One line: nodes by op type, size, time. */
export function formatExportSummary(s: ExportSummary): string {
  const ops = Object.entries(s.nodesByOp).map(([op, n]) => `${op}x${n}`).join(' ');
  return `${s.nodes} nodes (${ops}), ${(s.bytes / 1024).toFixed(1)} KiB, opset ${s.opset}, ${s.optimized ? 'optimized' : 'not optimized'}, ${(s.seconds * 1000).toFixed(0)} ms`;
}
