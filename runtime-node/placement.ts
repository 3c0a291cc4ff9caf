// Which execution provider ran each node of a model: one profiled run, read back from onnxruntime's
// profile (every node event names its provider). This is how we check that the WebGPU provider keeps
// the whole graph (the GRU above all) on the GPU instead of copying tensors back to CPU kernels.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { readModelMetadata } from '@ecg-onnx/core';
import { openSession, type SessionFactory } from './devices.js';

export interface NodePlacement {
  /** Node name as onnxruntime reports it (after its graph optimisations, so fused nodes appear once). */
  node: string;
  op: string;
  /** e.g. WebGpuExecutionProvider, CPUExecutionProvider. */
  provider: string;
}

export interface PlacementReport {
  /** The provider the session was opened on. */
  sessionProvider: string;
  nodes: NodePlacement[];
  /** provider -> op -> node count. */
  byProvider: Record<string, Record<string, number>>;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; provider?: string };
}

/** Runs `batch` zero beats once with profiling on and reports where each node ran. */
export async function profileNodePlacement(model: Uint8Array, device: string, options: { batch?: number; sessionFactory?: SessionFactory } = {}): Promise<PlacementReport> {
  const metadata = readModelMetadata(model, 'model bytes');
  const dir = await mkdtemp(join(tmpdir(), 'ecg-placement-'));
  try {
    const opened = await openSession(model, device, { profileFilePrefix: join(dir, 'profile') }, options.sessionFactory);
    const n = options.batch ?? 4;
    try {
      const input = new Tensor('float32', new Float32Array(n * metadata.inputLength * metadata.channels), [n, metadata.inputLength, metadata.channels]);
      await opened.session.run({ [metadata.inputName]: input });
      opened.session.endProfiling();
    } finally {
      await opened.session.release();
    }
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    if (files.length !== 1) throw new Error(`expected one onnxruntime profile in ${dir}, found ${files.length}`);
    const events = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as ProfileEvent[];
    const nodes = new Map<string, NodePlacement>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.provider) continue;
      const node = e.name.slice(0, -'_kernel_time'.length);
      nodes.set(node, { node, op: e.args.op_name ?? '?', provider: e.args.provider });
    }
    const byProvider: PlacementReport['byProvider'] = {};
    for (const p of nodes.values()) {
      const ops = (byProvider[p.provider] ??= {});
      ops[p.op] = (ops[p.op] ?? 0) + 1;
    }
    return { sessionProvider: opened.provider, nodes: [...nodes.values()], byProvider };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "WebGpuExecutionProvider: 46 nodes (Conv x4, GRU x1, ...)" per provider, one line each. */
export function formatPlacement(report: PlacementReport): string[] {
  return Object.entries(report.byProvider).map(([provider, ops]) => {
    const total = Object.values(ops).reduce((a, b) => a + b, 0);
    const list = Object.entries(ops).sort(([a], [b]) => a.localeCompare(b)).map(([op, k]) => `${op} x${k}`).join(', ');
    return `${provider}: ${total} nodes (${list})`;
  });
}
