#!/usr/bin/env node
// `npm run build`: compiles every workspace package (tsc -b: ESM JavaScript + .d.ts + source maps in
// each package's dist/), copies the exporter's generated protobuf module beside its output, and builds
// the web page with Vite when its sources changed. Incremental: a second run does almost nothing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

// tsc -b never deletes the output of a source that is gone; a tarball must not ship such a file.
function pruneOrphans(pkgDir) {
  const dist = join(pkgDir, 'dist');
  if (!existsSync(dist)) return 0;
  let removed = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const inside = relative(dist, path);
      if (inside === 'generated' || inside === 'app') continue; // copied here, not compiled
      if (statSync(path).isDirectory()) walk(path);
      else {
        const source = join(pkgDir, inside.replace(/(\.d)?\.(js|ts)(\.map)?$/, '.ts'));
        if (!existsSync(source)) {
          rmSync(path);
          removed++;
        }
      }
    }
  };
  walk(dist);
  return removed;
}
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const pruned = workspaces.reduce((n, w) => n + pruneOrphans(join(root, w)), 0);
if (pruned > 0) log(`removed ${pruned} dist files whose source is gone`);
const generated = join(root, 'export', 'generated');
mkdirSync(join(root, 'export', 'dist', 'generated'), { recursive: true });
for (const f of ['onnx.js', 'onnx.d.ts']) copyFileSync(join(generated, f), join(root, 'export', 'dist', 'generated', f));
log('export/generated -> export/dist/generated');
run(['--conditions=ecg-source', '--import', 'tsx', join(root, 'runtime-web', 'page', 'build.ts'), ...(quiet ? ['--quiet'] : [])], 'web page (vite, when its sources changed)');
