// Builds the web page (runtime-web/page/app) into runtime-web/page/dist/app: relative URLs so it can be served from
// any path, the bundled test beats as a virtual module, and ORT's wasm files copied beside the page so
// it works offline (no CDN). Workspace packages are bundled from their TypeScript sources (ecg-source).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { pickBundledBeats } from './bundled-beats.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(here, 'dist', 'app');
/** The WASM binaries the 'onnxruntime-web/webgpu' build loads at run time. */
export const ORT_RUNTIME_FILES = Object.freeze(['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm']);

function bundledBeats(): Plugin {
  const id = 'virtual:bundled-beats';
  return {
    name: 'ecg-bundled-beats',
    resolveId: (source) => (source === id ? '\0' + id : undefined),
    load: (resolved) => (resolved === '\0' + id ? `export default ${JSON.stringify(pickBundledBeats())};` : undefined),
  };
}

function copyOrtRuntime(): Plugin {
  let outDir = WEB_DIST;
  return {
    name: 'ecg-copy-ort-runtime',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const require = createRequire(import.meta.url);
      const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const f of ORT_RUNTIME_FILES) copyFileSync(join(ortDist, f), join(outDir, 'ort', f));
    },
  };
}

export default defineConfig({
  root: join(here, 'app'),
  base: './',
  logLevel: 'warn',
  plugins: [bundledBeats(), copyOrtRuntime()],
  // onnxruntime-web's "onnxruntime-web-use-extern-wasm" condition picks its non-bundled builds, which load
  // their .mjs/.wasm from env.wasm.wasmPaths (./ort/, copied above); the default '.bundle' builds would
  // make Vite emit another 27 MB copy of the .wasm into assets/.
  resolve: { conditions: ['ecg-source', 'onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  build: { outDir: WEB_DIST, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, assetsInlineLimit: 0 },
});
