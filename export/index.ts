// Library API of the exporter: a saved TF.js layers model (model.json + shards) -> one .onnx file.
//
//   import { exportLayersModel, writeOnnx } from './export/index.js';
//   const { bytes, summary } = await exportLayersModel('runs/latest/model');      // Uint8Array, in memory
//   const summary = await writeOnnx('runs/latest/model', 'model.onnx', { optimize: true });  // atomic write
//   console.log(formatExportSummary(summary));
//
// Stages: read files (layers-model.ts) -> topology (topology.ts) -> convert (convert.ts + ops/) ->
// optimise (passes/) -> serialise (onnx-builder.ts). The graph input is INPUT_NAME [N, T, C] (dynamic N),
// the output OUTPUT_NAME [N, K]; metadata_props follow core/metadata.ts. Unsupported layers or options
// throw UnsupportedLayerError; unreadable files throw ModelFormatError. Never imports train/ or a runtime.
import { readFile } from 'node:fs/promises';
import { UnsupportedLayerError } from '../core/errors.js';
import { INPUT_NAME, OUTPUT_NAME } from '../core/metadata.js';
import type { ClassInfo } from '../core/spec.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { convertTopology } from './convert.js';
import { readLayersModel } from './layers-model.js';
import { buildMetadataProps } from './model-metadata.js';
import { encodeModel } from './onnx-builder.js';
import { MIN_OPSET, OPSET } from './opset.js';
import { optimizeGraph, type OptimizeOptions, type PassReport } from './passes/index.js';
import { parseTopology } from './topology.js';

export interface ExportOptions extends OptimizeOptions {
  /** ONNX opset to declare, MIN_OPSET..OPSET (default OPSET). */
  opset?: number;
  /** Run the optimisation passes (default true). */
  optimize?: boolean;
  /** Class labels/names in output order (default: userDefinedMetadata, metrics.json, or "class k"). */
  classes?: ClassInfo[];
  /** Test accuracy to record (default: from userDefinedMetadata or metrics.json). */
  testAccuracy?: number;
  /** metrics.json to read classes / accuracy from (default: beside the model folder). */
  metricsPath?: string;
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

async function producerVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export async function exportLayersModel(modelPath: string, options: ExportOptions = {}): Promise<{ bytes: Uint8Array; summary: ExportSummary }> {
  const started = performance.now();
  const opset = options.opset ?? OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > OPSET) {
    throw new UnsupportedLayerError(`opset ${opset} is not supported; supported: ${MIN_OPSET}..${OPSET} (the pinned ONNX 1.12 knows opsets up to ${OPSET})`);
  }
  const files = await readLayersModel(modelPath);
  const topology = parseTopology(files.topology, files.path);
  const graph = convertTopology(topology, files.weights, files.path);
  const [, inputLength, channels] = graph.inputs[0]!.shape as [string, number, number];
  const outShape = graph.outputs[0]!.shape;
  const numClasses = outShape[1];
  if (outShape.length !== 2 || typeof numClasses !== 'number') {
    throw new UnsupportedLayerError(`${files.path}: the model's output has shape [${outShape}]; the exporter supports a [N, K] output (add Flatten/GlobalPooling and Dense)`);
  }
  const softmax = graph.producer(OUTPUT_NAME)?.opType === 'Softmax';
  const optimize = options.optimize ?? true;
  const passes = optimize ? optimizeGraph(graph, options) : [];
  const exportedAt = options.exportedAt ?? new Date().toISOString();
  const { props, classes } = await buildMetadataProps(
    { classes: options.classes, testAccuracy: options.testAccuracy, userDefinedMetadata: files.userDefinedMetadata, modelJsonPath: files.path, metricsPath: options.metricsPath },
    { inputLength, channels, numClasses, softmax },
    files.sha256,
    exportedAt,
  );
  const bytes = encodeModel(graph, {
    opset,
    producerVersion: await producerVersion(),
    graphName: topology.name,
    docString: `TF.js layers model "${topology.name}" exported by ecg-onnx: input "${INPUT_NAME}" [N, ${inputLength}, ${channels}] (batch, time, channels), output "${OUTPUT_NAME}" [N, ${numClasses}].`,
    metadataProps: props,
  });
  const summary: ExportSummary = {
    source: files.path,
    sourceSha256: files.sha256,
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
  return { bytes, summary };
}

/** Exports and writes `outFile` atomically (never a half-written .onnx). */
export async function writeOnnx(modelPath: string, outFile: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const { bytes, summary } = await exportLayersModel(modelPath, options);
  await writeFileAtomic(outFile, bytes);
  return summary;
}

/** One line: nodes by op type, size, time. */
export function formatExportSummary(s: ExportSummary): string {
  const ops = Object.entries(s.nodesByOp).map(([op, n]) => `${op}x${n}`).join(' ');
  return `${s.nodes} nodes (${ops}), ${(s.bytes / 1024).toFixed(1)} KiB, opset ${s.opset}, ${s.optimized ? 'optimized' : 'not optimized'}, ${(s.seconds * 1000).toFixed(0)} ms`;
}

export { decodeModel, type OnnxModelSummary } from './onnx-builder.js';
export { OPSET, IR_VERSION, MIN_OPSET } from './opset.js';
