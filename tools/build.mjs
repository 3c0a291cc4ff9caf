#!/usr/bin/env node
// `npm run build`: compiles every workspace package (tsc -b: ESM JavaScript + .d.ts + source maps in
// each package's dist/), copies the exporter's generated protobuf module beside its output, and builds
// the web page with Vite when its sources changed. Incremental: a second run does almost nothing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (line) => quiet || process.stderr.write(`build: ${line}\n`);

function run(args, what) {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${what} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
  log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], 'tsc -b: every package');
const generated = join(root, 'export', 'generated');
mkdirSync(join(root, 'export', 'dist', 'generated'), { recursive: true });
for (const f of ['onnx.js', 'onnx.d.ts']) copyFileSync(join(generated, f), join(root, 'export', 'dist', 'generated', f));
log('export/generated -> export/dist/generated');
run(['--conditions=ecg-source', '--import', 'tsx', join(root, 'runtime-web', 'page', 'build.ts')], 'web page (vite, when its sources changed)');
