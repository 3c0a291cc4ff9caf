// A small loopback static server for the built page plus the model at /model.onnx: what `ecg web`,
// the browser tests and the benchmarks use. Node only; the page itself never imports this.
// It serves the page the way the README asks production servers to: cross-origin isolated (COOP/COEP,
// so the WASM kernels get threads), the build's .br/.gz copies by Accept-Encoding, a year of
// immutable caching for content-hashed URLs and ETag revalidation (304) for the rest, the model too.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { webAppDir } from './app-dir.js';
import { cacheControlFor, ENCODING_SUFFIX, etagMatches, ISOLATION_HEADERS, negotiateEncoding, REVALIDATE, type Encoding } from './http-caching.js';
import { COMPRESSIBLE, compressForWeb, type Compressed } from './precompress.js';

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
  /** 'plain': no compression, caching or isolation headers (how the page was served before; benchmarks compare). */
  delivery?: 'optimized' | 'plain';
}

export interface RunningWebServer {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

const etagOf = (bytes: Uint8Array | string) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;

/** Content ETags of served files, recomputed when a file's size or mtime changes (a rebuild). */
class FileTags {
  private readonly tags = new Map<string, { key: string; etag: Promise<string> }>();
  async get(file: string, size: number, mtimeMs: number): Promise<string> {
    const key = `${size}:${mtimeMs}`;
    let entry = this.tags.get(file);
    if (entry?.key !== key) {
      entry = { key, etag: hashFile(file) };
      this.tags.set(file, entry);
    }
    return entry.etag;
  }
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `"${h.digest('base64url').slice(0, 27)}"`;
}

interface Representation {
  contentType: string;
  size: number;
  etag?: string;
  encoding?: Encoding;
  cacheControl?: string;
  /** Other encodings exist: caches must key on Accept-Encoding. */
  vary: boolean;
  body: Uint8Array | string;
}

function respond(req: IncomingMessage, res: ServerResponse, rep: Representation, common: OutgoingHttpHeaders): Promise<void> | void {
  const headers: OutgoingHttpHeaders = { ...common };
  if (rep.cacheControl) headers['cache-control'] = rep.cacheControl;
  if (rep.etag) headers.etag = rep.etag;
  if (rep.vary) headers.vary = 'Accept-Encoding';
  if (rep.etag && etagMatches(req.headers['if-none-match'], rep.etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  Object.assign(headers, { 'content-type': rep.contentType, 'content-length': rep.size }, rep.encoding ? { 'content-encoding': rep.encoding } : {});
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  if (typeof rep.body !== 'string') return void res.end(rep.body);
  return pipeline(createReadStream(rep.body), res);
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const root = normalize(options.distDir ?? webAppDir());
  const optimized = (options.delivery ?? 'optimized') === 'optimized';
  const common: OutgoingHttpHeaders = optimized ? { ...ISOLATION_HEADERS } : {};
  const model = options.model;
  // Compressed once, in the background: the page asks for the model after its HTML and scripts.
  const modelCompressed: Promise<Compressed> | undefined = optimized ? compressForWeb(model) : undefined;
  modelCompressed?.catch(() => {});
  const modelTags = { identity: etagOf(model), br: '', gzip: '' };
  const tags = new FileTags();

  const modelRepresentation = async (req: IncomingMessage): Promise<Representation> => {
    const identity = { contentType: MIME['.onnx']!, size: model.byteLength, body: model, vary: optimized };
    if (!modelCompressed) return { ...identity, cacheControl: 'no-store', vary: false };
    const encoding = negotiateEncoding(req.headers['accept-encoding'], ['br', 'gzip']);
    if (!encoding) return { ...identity, etag: modelTags.identity, cacheControl: REVALIDATE };
    const body = (await modelCompressed)[encoding];
    modelTags[encoding] ||= etagOf(body);
    return { ...identity, body, size: body.byteLength, encoding, etag: modelTags[encoding], cacheControl: REVALIDATE };
  };

  const fileRepresentation = async (req: IncomingMessage, path: string, file: string, size: number, mtimeMs: number): Promise<Representation> => {
    const contentType = MIME[extname(file)] ?? 'application/octet-stream';
    if (!optimized) return { contentType, size, body: file, vary: false };
    const available: Encoding[] = [];
    if (COMPRESSIBLE.test(file)) {
      for (const e of ['br', 'gzip'] as const) if ((await stat(file + ENCODING_SUFFIX[e]).catch(() => undefined))?.isFile()) available.push(e);
    }
    const encoding = negotiateEncoding(req.headers['accept-encoding'], available);
    const chosen = encoding ? file + ENCODING_SUFFIX[encoding] : file;
    const info = encoding ? await stat(chosen) : { size, mtimeMs };
    const etag = await tags.get(chosen, info.size, info.mtimeMs);
    return { contentType, size: info.size, body: chosen, encoding, etag, cacheControl: cacheControlFor(path), vary: available.length > 0 };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...common, allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (path === '/model.onnx') return respond(req, res, await modelRepresentation(req), common);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if (!file.startsWith(root + sep)) {
        res.writeHead(403, common).end();
        return;
      }
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        res.writeHead(404, { ...common, 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
        return;
      }
      return respond(req, res, await fileRepresentation(req, path, file, info.size, info.mtimeMs), common);
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
