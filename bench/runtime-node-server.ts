// Load test of `ecg serve` for bench/runtime-node.ts: the real CLI server in its own process on
// 127.0.0.1, autocannon in this one, single-beat requests (/v1, or /v2 as JSON or binary tensors),
// bounded by connections x duration.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface LoadResult {
  mode: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** Mean beats per session run, from the server's own /metrics. */
  meanBatch: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; a computed specifier keeps tsc from asking for them.
const AUTOCANNON: string = 'autocannon';

const firstBeat = (testTsv: string) => readFileSync(testTsv, 'utf8').split('\n')[0]!.split('\t').slice(1).map(Number);

/** One test-set beat as the request body every connection sends. */
export function singleBeatBody(testTsv: string): string {
  return JSON.stringify({ beats: [firstBeat(testTsv)] });
}

/** The same beat as an Open Inference Protocol request: JSON tensor data, or a binary tensor after a JSON header. */
export function singleBeatV2(testTsv: string, binary: boolean): LoadRequest {
  const beat = firstBeat(testTsv);
  const path = '/v2/models/ecg/infer';
  const input = { name: 'beats', shape: [1, beat.length, 1], datatype: 'FP32' };
  if (!binary) return { path, body: JSON.stringify({ inputs: [{ ...input, data: beat }] }) };
  const values = Float32Array.from(beat);
  const header = Buffer.from(JSON.stringify({ inputs: [{ ...input, parameters: { binary_data_size: values.byteLength } }], outputs: [{ name: 'probabilities', parameters: { binary_data: true } }] }));
  return {
    path,
    body: Buffer.concat([header, Buffer.from(values.buffer)]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  };
}

async function startServer(model: string, extra: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['cli/bin/ecg.js', 'serve', '--model', model, '--port', '0', '--device', 'cpu', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`ecg serve exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`ecg serve exited with ${code} on SIGTERM:\n${stderr}`);
    },
  };
}

function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

export interface LoadRequest {
  path: string;
  /** Body to POST; none = GET. */
  body?: string | Buffer;
  /** Default: content-type application/json. */
  headers?: Record<string, string>;
}

export async function loadTest(model: string, mode: string, serveArgs: string[], request: LoadRequest, connections: number, seconds: number): Promise<LoadResult> {
  const autocannon = ((await import(AUTOCANNON)) as { default: Autocannon }).default;
  const server = await startServer(model, serveArgs);
  try {
    const url = `${server.url}${request.path}`;
    const init = request.body === undefined ? { method: 'GET' } : { method: 'POST', headers: request.headers ?? { 'content-type': 'application/json' }, body: request.body };
    // fetch takes bytes as a Uint8Array, autocannon only as a Buffer.
    const fetchInit = typeof init.body === 'object' ? { ...init, body: new Uint8Array(init.body) } : init;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url, fetchInit as RequestInit); // warm-up
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${mode}: warm-up request answered ${res.status}`);
    }
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const r = await autocannon({ url, connections, duration: seconds, ...init });
    const after = await (await fetch(`${server.url}/metrics`)).text();
    const runs = metricSum(after, 'ecg_batch_size_beats_count') - metricSum(before, 'ecg_batch_size_beats_count');
    const beats = metricSum(after, 'ecg_batch_size_beats_sum') - metricSum(before, 'ecg_batch_size_beats_sum');
    return {
      mode,
      requestsPerSec: r.requests.average,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      requests: r.requests.total,
      meanBatch: runs === 0 ? 0 : beats / runs,
    };
  } finally {
    await server.stop();
  }
}
