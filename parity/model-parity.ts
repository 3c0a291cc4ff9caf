// Parity for a model of any signature (not only the ECG beat classifier): the same inputs (from
// .npy/.json files, or seeded random inputs of the graph's signature) through TF.js (the saved layers
// model) and every ONNX runtime: onnxruntime-node, onnxruntime-web's WASM in Node, and onnxruntime-web
// in Chromium (WASM, WebGPU) on a minimal harness page. Every output is compared; the report has the
// shape `ecg parity` always prints (argmax agreement over the rows of each output's last axis, no
// accuracy: there are no labels).
import * as tf from '@tensorflow/tfjs';
import * as ortNode from 'onnxruntime-node';
import { ModelFormatError } from '@ecg-onnx/core';
import { initBackend } from '@ecg-onnx/train';
import { chromiumAvailable, CHROMIUM_INSTALL_HINT, CHROMIUM_PATH } from './chromium.js';
import { runInChromium } from './harness.js';
import { randomFeeds, readInputs, type Feed, type InputSignature } from './inputs.js';
import type { ParityOptions, ParityReport, ParityRow } from './index.js';
import { loadTfjsModel } from './tfjs-reference.js';

export interface ModelRuntimeOutput {
  outputs: Float32Array[];
  timeMs: number;
  provider: string;
  note?: string;
}

/** One ONNX runtime that runs any graph on named feeds. */
export interface ModelRuntime {
  name: string;
  unavailable(): string | undefined;
  run(onnx: Uint8Array, feeds: Feed[]): Promise<ModelRuntimeOutput>;
}

const nodeCpu: ModelRuntime = {
  name: 'onnxruntime-node CPU',
  unavailable: () => undefined,
  async run(onnx, feeds) {
    const session = await ortNode.InferenceSession.create(onnx, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    try {
      const started = performance.now();
      const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ortNode.Tensor(f.dtype, f.data, f.shape)])));
      const timeMs = performance.now() - started;
      return { outputs: session.outputNames.map((n) => out[n]!.data as Float32Array), timeMs, provider: 'cpu' };
    } finally {
      await session.release();
    }
  },
};

const webWasmInNode: ModelRuntime = {
  name: 'onnxruntime-web WASM (Node)',
  unavailable: () => undefined,
  async run(onnx, feeds) {
    const web = await import('onnxruntime-web');
    web.env.wasm.numThreads = 1;
    const session = await web.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    try {
      const started = performance.now();
      const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new web.Tensor(f.dtype, f.data, f.shape)])));
      const timeMs = performance.now() - started;
      return { outputs: session.outputNames.map((n) => out[n]!.data as Float32Array), timeMs, provider: 'wasm' };
    } finally {
      await session.release();
    }
  },
};

function chromium(provider: 'wasm' | 'webgpu'): ModelRuntime {
  return {
    name: provider === 'wasm' ? 'Chromium WASM' : 'Chromium WebGPU (SwiftShader)',
    unavailable: () => (chromiumAvailable() ? undefined : `no Chromium at ${CHROMIUM_PATH}; install it with: ${CHROMIUM_INSTALL_HINT}`),
    async run(onnx, feeds) {
      const r = await runInChromium(onnx, feeds, provider);
      return { outputs: r.outputs, timeMs: r.timeMs, provider, note: 'harness page' };
    },
  };
}

/** Every runtime a model of any signature is compared on, in report order. */
export const MODEL_RUNTIMES: readonly ModelRuntime[] = Object.freeze([nodeCpu, webWasmInNode, chromium('wasm'), chromium('webgpu')]);

/** The graph inputs as onnxruntime-node reads them from the file. */
async function signatureOf(onnx: Uint8Array, label: string): Promise<{ inputs: InputSignature[]; outputs: string[] }> {
  let session: ortNode.InferenceSession;
  try {
    session = await ortNode.InferenceSession.create(onnx);
  } catch (e) {
    throw new ModelFormatError(`${label}: onnxruntime cannot load it (${(e as Error).message})`);
  }
  try {
    const inputs = session.inputMetadata.map((m) => {
      if (!m.isTensor || (m.type !== 'float32' && m.type !== 'int32')) throw new ModelFormatError(`${label}: input "${m.name}" is ${m.isTensor ? m.type : 'not a tensor'}; parity feeds float32 and int32 tensors`);
      return { name: m.name, dtype: m.type, shape: [...m.shape] } as InputSignature;
    });
    return { inputs, outputs: [...session.outputNames] };
  } finally {
    await session.release();
  }
}

function sliceFeeds(feeds: Feed[], start: number, end: number): tf.Tensor[] {
  return feeds.map((f) => {
    const row = f.data.length / f.shape[0]!;
    return tf.tensor(f.data.subarray(start * row, end * row), [end - start, ...f.shape.slice(1)], f.dtype);
  });
}

/** TF.js predict in batches; every output flattened, in model.outputs order. */
function predictFeeds(model: tf.LayersModel, feeds: Feed[], n: number, batch = 64): Float32Array[] {
  const parts: Float32Array[][] = model.outputs.map(() => []);
  for (let start = 0; start < n; start += batch) {
    const outs = tf.tidy(() => {
      const y = model.predict(sliceFeeds(feeds, start, Math.min(n, start + batch)));
      return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
    });
    outs.forEach((o, i) => parts[i]!.push(o));
  }
  return parts.map((p) => {
    const out = new Float32Array(p.reduce((a, b) => a + b.length, 0));
    p.reduce((at, b) => (out.set(b, at), at + b.length), 0);
    return out;
  });
}

/** Rows (over the last axis, when it has several values) whose argmax agrees; max |diff| over everything. */
function compare(actual: Float32Array[], expected: Float32Array[], lastDims: number[]): { maxAbsDiff: number; agree: number; rows: number } {
  let maxAbsDiff = 0;
  let agree = 0;
  let rows = 0;
  expected.forEach((e, o) => {
    const a = actual[o]!;
    if (a.length !== e.length) throw new Error(`output ${o} has ${a.length} values, TF.js ${e.length}`);
    for (let i = 0; i < e.length; i++) {
      const d = Math.abs(a[i]! - e[i]!);
      maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    }
    const k = lastDims[o]!;
    if (k < 2) return;
    for (let r = 0; r < e.length / k; r++) {
      const best = (v: Float32Array) => {
        let j = 0;
        for (let c = 1; c < k; c++) if (v[r * k + c]! > v[r * k + j]!) j = c;
        return j;
      };
      rows++;
      if (best(a) === best(e)) agree++;
    }
  });
  return { maxAbsDiff, agree, rows };
}

/** Vocabulary of an input that holds ids: the smallest input_dim of the Embeddings reading it. */
function vocabularyOf(model: tf.LayersModel, i: number, dtype: string): number | undefined {
  const readers = model.inputLayers[i]!.outboundNodes.map((n) => n.outboundLayer).filter((l) => l.getClassName() === 'Embedding');
  if (readers.length > 0) return Math.min(...readers.map((l) => l.getConfig().inputDim as number));
  if (dtype !== 'int32') return undefined;
  const all = model.layers.filter((l) => l.getClassName() === 'Embedding').map((l) => l.getConfig().inputDim as number);
  return all.length > 0 ? Math.min(...all) : 2;
}

export async function runModelParity(options: ParityOptions, onnx: Uint8Array): Promise<ParityReport> {
  const log = options.log ?? (() => {});
  const signature = await signatureOf(onnx, options.onnx);
  const tfjsBackend = await initBackend(options.backend ?? 'auto');
  const model = await loadTfjsModel(options.model);
  try {
    if (model.inputs.length !== signature.inputs.length || model.outputs.length !== signature.outputs.length) {
      throw new ModelFormatError(`${options.onnx}: has ${signature.inputs.length} inputs and ${signature.outputs.length} outputs, the TF.js model ${options.model} ${model.inputs.length} and ${model.outputs.length}; pass the .onnx exported from it`);
    }
    const seed = options.seed ?? 1;
    const feeds = options.inputs?.length
      ? await readInputs(options.inputs, signature.inputs)
      : randomFeeds(signature.inputs, {
          n: options.n ?? 32,
          seed,
          length: options.length ?? 16,
          dims: model.inputs.map((t) => t.shape.map((d) => d)),
          vocabulary: signature.inputs.map((s, i) => vocabularyOf(model, i, s.dtype)),
        });
    const n = feeds[0]!.shape[0]!;
    if (feeds.some((f) => f.shape[0] !== n)) throw new ModelFormatError(`${options.inputs?.join(', ')}: every input needs the same batch size, got ${feeds.map((f) => f.shape[0]).join(', ')}`);
    const data = options.inputs?.length ? options.inputs.join(', ') : `random inputs (seed ${seed}): ${feeds.map((f) => `${f.name} ${f.dtype} [${f.shape.join(', ')}]`).join(', ')}`;
    log(`TF.js (${tfjsBackend}): ${n} samples ...`);
    const started = performance.now();
    const reference = predictFeeds(model, feeds, n);
    const tfjsMs = performance.now() - started;
    const lastDims = model.outputs.map((t) => (t.shape.length > 1 ? (t.shape.at(-1) as number) : 1));
    const self = compare(reference, reference, lastDims);
    const rows: ParityRow[] = [{ runtime: `TF.js (${tfjsBackend} backend)`, provider: tfjsBackend, maxAbsDiff: 0, argmaxAgree: self.rows > 0 ? self.rows : undefined, timeMs: tfjsMs, note: 'reference' }];
    for (const runtime of options.modelRuntimes ?? MODEL_RUNTIMES) {
      const unavailable = runtime.unavailable();
      if (unavailable) {
        log(`${runtime.name}: skipped (${unavailable})`);
        rows.push({ runtime: runtime.name, skipped: unavailable });
        continue;
      }
      log(`${runtime.name}: ${n} samples ...`);
      // A runtime that cannot run this graph (e.g. the WebGPU EP's recurrent kernels take Sigmoid,
      // Tanh and Relu only) is a finding about that runtime: its row says how it failed.
      const out = await runtime.run(onnx, feeds).catch((e: Error) => e);
      if (out instanceof Error) {
        log(`${runtime.name}: failed (${out.message.split('\n')[0]})`);
        rows.push({ runtime: runtime.name, skipped: `failed: ${out.message.split('\n')[0]}` });
        continue;
      }
      const c = compare(out.outputs, reference, lastDims);
      rows.push({ runtime: runtime.name, provider: out.provider, maxAbsDiff: c.maxAbsDiff, argmaxAgree: c.rows > 0 ? c.agree : undefined, timeMs: out.timeMs, note: out.note });
    }
    return { model: options.model, onnx: options.onnx, data, n, tfjsBackend, rows, argmaxRows: self.rows > 0 ? self.rows : undefined };
  } finally {
    model.dispose();
  }
}
