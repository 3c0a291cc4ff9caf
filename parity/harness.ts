// Runs any .onnx in Chromium for parity: a minimal page (no app, no bundler) that loads
// onnxruntime-web's WebGPU build and its WASM files from this machine, fetches the model and the
// feeds from the same loopback server, runs one session on the provider asked for and hands the
// outputs back. Served from 127.0.0.1 only; any request off that origin is blocked and reported.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { WebProvider } from '@ecg-onnx/runtime-web';
import { launchChromium } from './chromium.js';
import type { Feed } from './inputs.js';

/** onnxruntime-web's dist/ folder (ort.webgpu.min.mjs and the ort-wasm-* files it loads). */
const ORT_WEB_DIST = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

const HARNESS_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>ecg-onnx parity harness</title></head><body>
<script type="module">
import * as ort from '/ort/ort.webgpu.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
window.runModel = async (provider) => {
  const model = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
  const specs = await (await fetch('/feeds.json')).json();
  const blob = await (await fetch('/feeds.bin')).arrayBuffer();
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider], graphOptimizationLevel: 'all' });
  const feeds = {};
  for (const f of specs) {
    const data = f.dtype === 'int32' ? new Int32Array(blob, f.offset, f.length) : new Float32Array(blob, f.offset, f.length);
    feeds[f.name] = new ort.Tensor(f.dtype, data, f.shape);
  }
  const started = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - started;
  const outputs = session.outputNames.map((name) => Array.from(out[name].data));
  await session.release();
  return { ms, outputs };
};
document.body.dataset.ready = '1';
</script></body></html>`;

const MIME: Readonly<Record<string, string>> = Object.freeze({ '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' });

async function startHarnessServer(model: Uint8Array, feeds: Feed[]): Promise<{ url: string; close: () => Promise<void> }> {
  let offset = 0;
  const specs = feeds.map((f) => {
    const spec = { name: f.name, dtype: f.dtype, shape: f.shape, offset, length: f.data.length };
    offset += f.data.byteLength;
    return spec;
  });
  const blob = new Uint8Array(offset);
  feeds.forEach((f, i) => blob.set(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength), specs[i]!.offset));
  const fixed: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html; charset=utf-8', HARNESS_HTML],
    '/model.onnx': ['application/octet-stream', model],
    '/feeds.json': ['application/json', JSON.stringify(specs)],
    '/feeds.bin': ['application/octet-stream', blob],
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const known = fixed[path];
      if (known) {
        res.writeHead(200, { 'content-type': known[0], 'cache-control': 'no-store' }).end(known[1]);
        return;
      }
      const name = path.startsWith('/ort/') ? basename(path) : '';
      const type = MIME[name.slice(name.lastIndexOf('.'))];
      if (!/^ort[.\w-]*\.(mjs|wasm)$/.test(name) || !type) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': type }).end(await readFile(join(ORT_WEB_DIST, name)));
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

export interface HarnessRun {
  outputs: Float32Array[];
  timeMs: number;
}

/** One run of `model` on `feeds` in headless Chromium with `provider`; outputs in graph order. */
export async function runInChromium(model: Uint8Array, feeds: Feed[], provider: WebProvider, timeoutMs = 600_000): Promise<HarnessRun> {
  const server = await startHarnessServer(model, feeds);
  const browser = await launchChromium(provider);
  try {
    const page = await browser.newPage();
    const origin = new URL(server.url).origin;
    const foreign: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 60_000 }).catch(() => {
      throw new Error(`the parity harness page did not start${errors.length ? `: ${errors.join('; ')}` : ''}`);
    });
    page.setDefaultTimeout(timeoutMs);
    const result = await page.evaluate((p) => (window as unknown as { runModel: (p: string) => Promise<{ ms: number; outputs: number[][] }> }).runModel(p), provider);
    if (foreign.length > 0) throw new Error(`the harness page requested off-origin URLs: ${foreign.join(', ')}`);
    return { outputs: result.outputs.map((o) => Float32Array.from(o)), timeMs: result.ms };
  } finally {
    await browser.close();
    await server.close();
  }
}
