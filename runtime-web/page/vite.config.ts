// Builds the web page (runtime-web/page/app) into runtime-web/page/dist/app: relative URLs so it can be served from
// any path, the bundled test beats as a virtual module, and ORT's wasm files copied beside the page so
// it works offline (no CDN). Workspace packages are bundled from their TypeScript sources (ecg-source).
// ORT's files go to ort/<content hash>/ (the page gets that folder as ORT_DIR), so like Vite's
// assets/ they can be cached for a year; every text and WASM file gets .br and .gz copies (precompress.ts).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { pickBundledBeats } from './bundled-beats.js';
import { precompressDir } from './precompress.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(here, 'dist', 'app');
const require = createRequire(import.meta.url);
const ORT_DIST = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
/** Compressed WASM binaries, kept across builds (they only change with onnxruntime-web). */
const COMPRESS_CACHE = join(ORT_DIST, '..', '..', '.cache', 'ecg-web-app');

/** The binaries the page's three builds load at run time (plain, JSPI, asyncify; never the JSEP one). */
export const ORT_RUNTIME_FILES = Object.freeze(readdirSync(ORT_DIST).filter((f) => /^ort-wasm-simd-threaded(\.jspi|\.asyncify)?\.(mjs|wasm)$/.test(f)).sort());

/** ort/<first 12 hex of the files' SHA-256>/: a new onnxruntime-web is a new URL. */
export const ORT_DIR = (() => {
  const h = createHash('sha256');
  for (const f of ORT_RUNTIME_FILES) h.update(f).update(readFileSync(join(ORT_DIST, f)));
  return `ort/${h.digest('hex').slice(0, 12)}/`;
})();

function bundledBeats(): Plugin {
  const id = 'virtual:bundled-beats';
  return {
    name: 'ecg-bundled-beats',
    resolveId: (source) => (source === id ? '\0' + id : undefined),
    load: (resolved) => (resolved === '\0' + id ? `export default ${JSON.stringify(pickBundledBeats())};` : undefined),
  };
}

function copyOrtRuntimeAndCompress(): Plugin {
  let outDir = WEB_DIST;
  return {
    name: 'ecg-copy-ort-runtime',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      mkdirSync(join(outDir, ORT_DIR), { recursive: true });
      for (const f of ORT_RUNTIME_FILES) copyFileSync(join(ORT_DIST, f), join(outDir, ORT_DIR, f));
      await precompressDir(outDir, { cacheDir: COMPRESS_CACHE });
    },
  };
}

export default defineConfig({
  root: join(here, 'app'),
  base: './',
  logLevel: 'warn',
  plugins: [bundledBeats(), copyOrtRuntimeAndCompress()],
  define: { ORT_DIR: JSON.stringify(ORT_DIR) },
  // onnxruntime-web's "onnxruntime-web-use-extern-wasm" condition picks its non-bundled builds, which load
  // their .mjs/.wasm from env.wasm.wasmPaths (ORT_DIR, copied above); the default '.bundle' builds would
  // make Vite emit another copy of each .wasm into assets/.
  resolve: { conditions: ['ecg-source', 'onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  build: { outDir: WEB_DIST, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, assetsInlineLimit: 0 },
});
