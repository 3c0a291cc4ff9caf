// The page server's HTTP behaviour on the real built page: cross-origin isolation headers, brotli/gzip
// copies chosen by Accept-Encoding (decoding to the exact file), a year of immutable caching only for
// content-hashed URLs, ETag + If-None-Match 304 for the rest and the model, and the 'plain' switch.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORT_BUILD_FILES } from '../../runtime-web/index.js';
import { ensureWebBuild } from '../../runtime-web/page/build.js';
import { cacheControlFor, etagMatches, negotiateEncoding } from '../../runtime-web/page/http-caching.js';
import { startWebServer, type RunningWebServer } from '../../runtime-web/page/server.js';
import { tinyOnnxModel } from '../runtime-node/tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 3 });
// The tiny model compresses to nothing worth sending; repeat it so the server has something to compress.
const model = new Uint8Array(Array.from({ length: 8 }, () => Array.from(tiny.bytes)).flat());

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (node:http, so no client decodes or caches anything behind the test's back). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let dist: string;
let server: RunningWebServer;
let ortDir: string;
let asset: string;

beforeAll(async () => {
  dist = await ensureWebBuild();
  server = await startWebServer({ distDir: dist, model });
  ortDir = `ort/${(await readdir(join(dist, 'ort')))[0]}/`;
  asset = `assets/${(await readdir(join(dist, 'assets'))).find((f) => /^index-.*\.js$/.test(f))}`;
});

afterAll(async () => {
  await server?.close();
});

describe('the built page', () => {
  it('holds every file of every onnxruntime-web build in one content-hashed folder, each with .br and .gz copies', async () => {
    expect(ortDir).toMatch(/^ort\/[0-9a-f]{12}\/$/);
    const files = await readdir(join(dist, ortDir));
    for (const f of Object.values(ORT_BUILD_FILES).flat()) {
      expect(files, f).toContain(f);
      const original = await readFile(join(dist, ortDir, f));
      expect(brotliDecompressSync(await readFile(join(dist, ortDir, `${f}.br`))).equals(original), `${f}.br`).toBe(true);
      expect(gunzipSync(await readFile(join(dist, ortDir, `${f}.gz`))).equals(original), `${f}.gz`).toBe(true);
    }
  });
});

describe('serving', () => {
  it('sends COOP/COEP (and CORP) with every response, so the page is cross-origin isolated', async () => {
    for (const path of ['', asset, 'model.onnx', 'no-such-file']) {
      const res = await get(server.url + path);
      expect(res.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(res.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
      expect(res.headers['cross-origin-resource-policy'], path).toBe('same-origin');
    }
  });

  it('negotiates brotli, then gzip, else identity; every body decodes to the file, with its length', async () => {
    const path = `${ortDir}ort-wasm-simd-threaded.wasm`;
    const original = await readFile(join(dist, path));
    const br = await get(server.url + path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('application/wasm');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(original.length / 4);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    const gz = await get(server.url + path, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    const plain = await get(server.url + path, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
    const html = await get(server.url, { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(html.body).toString()).toBe(await readFile(join(dist, 'index.html'), 'utf8'));
  });

  it('caches content-hashed URLs for a year, immutable; the page and the model revalidate', async () => {
    for (const path of [asset, `${ortDir}ort-wasm-simd-threaded.jspi.wasm`]) {
      expect((await get(server.url + path, {}, 'HEAD')).headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
    }
    for (const path of ['', 'index.html', 'model.onnx']) {
      const res = await get(server.url + path, {}, 'HEAD');
      expect(res.headers['cache-control'], path).toBe('no-cache');
      expect(res.headers.etag, path).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    }
  });

  it('answers If-None-Match with 304 and no body, per encoding; a changed file gets a new ETag', async () => {
    for (const path of ['', asset, 'model.onnx']) {
      const br = await get(server.url + path, { 'accept-encoding': 'br' });
      const identity = await get(server.url + path);
      expect(br.headers.etag, path).not.toBe(identity.headers.etag);
      const again = await get(server.url + path, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
      expect(again.status, path).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(br.headers.etag);
      expect((await get(server.url + path, { 'accept-encoding': 'br', 'if-none-match': '"other"' })).status).toBe(200);
    }
    const served = await get(`${server.url}model.onnx`, { 'accept-encoding': 'br' });
    expect(served.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(served.body).equals(Buffer.from(model))).toBe(true);
    const other = await startWebServer({ distDir: dist, model: tiny.bytes });
    try {
      expect((await get(`${other.url}model.onnx`)).headers.etag).not.toBe((await get(`${server.url}model.onnx`)).headers.etag);
    } finally {
      await other.close();
    }
  });

  it('a file rewritten while serving (a rebuild) gets a new ETag, and an old If-None-Match no longer matches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-serve-etag-'));
    await writeFile(join(dir, 'index.html'), '<p>one</p>');
    const local = await startWebServer({ distDir: dir, model });
    try {
      const first = await get(local.url);
      await new Promise((r) => setTimeout(r, 20)); // a different mtime
      await writeFile(join(dir, 'index.html'), '<p>two</p>');
      const second = await get(local.url, { 'if-none-match': String(first.headers.etag) });
      expect(second.status).toBe(200);
      expect(second.body.toString()).toBe('<p>two</p>');
      expect(second.headers.etag).not.toBe(first.headers.etag);
    } finally {
      await local.close();
    }
  });

  it("delivery 'plain' serves like before: no compression, caching or isolation headers", async () => {
    const plain = await startWebServer({ distDir: dist, model, delivery: 'plain' });
    try {
      const res = await get(`${plain.url}${ortDir}ort-wasm-simd-threaded.wasm`, { 'accept-encoding': 'br, gzip' });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['cache-control']).toBeUndefined();
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['cross-origin-embedder-policy']).toBeUndefined();
      expect((await get(`${plain.url}model.onnx`)).headers['cache-control']).toBe('no-store');
    } finally {
      await plain.close();
    }
  });
});

describe('the HTTP rules', () => {
  it('negotiateEncoding honours q-values, wildcards and what is available', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd', ['br', 'gzip'])).toBe('br');
    expect(negotiateEncoding('gzip;q=1, br;q=0.5', ['br', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('br', ['gzip'])).toBeUndefined();
    expect(negotiateEncoding('*', ['gzip'])).toBe('gzip');
    expect(negotiateEncoding('*, br;q=0', ['br', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('identity', ['br', 'gzip'])).toBeUndefined();
    expect(negotiateEncoding(undefined, ['br'])).toBeUndefined();
  });
  it('etagMatches takes lists, weak tags and *', () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"x"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
  it('only Vite-hashed assets and the hashed ORT folder are immutable', () => {
    expect(cacheControlFor('/assets/index-DsOOHIxL.js')).toMatch(/immutable/);
    expect(cacheControlFor('/ort/413a78f3a2d9/ort-wasm-simd-threaded.wasm')).toMatch(/immutable/);
    for (const path of ['/index.html', '/model.onnx', '/ort/ort-wasm-simd-threaded.wasm', '/assets/logo.svg', '/x/assets/a-12345678.js']) expect(cacheControlFor(path), path).toBe('no-cache');
  });
});
