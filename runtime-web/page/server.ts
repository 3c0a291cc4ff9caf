// A small loopback static server for the built page plus the model at /model.onnx: what `ecg web`,
// the browser tests and the benchmarks use. Node only; the page itself never imports this.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { webAppDir } from './app-dir.js';

const MIME: Readonly<Record<string, string>> = Object.freeze({
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.mjs': 'text/javascript; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
});

export interface WebServerOptions {
  /** The built page (default: this package's dist/app). */
  distDir?: string;
  /** The .onnx bytes served at /model.onnx. */
  model: Uint8Array;
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
}

export interface RunningWebServer {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const root = normalize(options.distDir ?? webAppDir());
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (path === '/model.onnx') {
        res.writeHead(200, { 'content-type': MIME['.onnx']!, 'content-length': options.model.byteLength, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : options.model);
        return;
      }
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if (!file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-length': body.byteLength });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
