// Builds the web page with Vite (part of `npm run build`) when dist/app is missing or older than its
// sources, so `ecg web`, the browser tests and the benchmarks always serve a page that matches the code.
// A build tool of the repository: not part of the published package (which ships dist/app built).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EcgError } from '@ecg-onnx/core';
import { writeDirAtomic } from '@ecg-onnx/core/node';
import { ECG5000_TEST } from '@ecg-onnx/ecg5000';
import { WEB_APP_DIR } from './app-dir.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const STAMP = join(WEB_APP_DIR, '.source-hash');
/** Everything the page bundles: its own sources, the web runtime, the exporter and the shared core. */
const SOURCE_DIRS = [join(here, 'app'), join(repo, 'runtime-web'), join(repo, 'export'), join(repo, 'core')];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' || e.name.startsWith('.') ? [] : sourceFiles(path);
    return /\.(ts|html|css)$/.test(e.name) ? [path] : [];
  });
}

/** Hash of every page source, the core contract, the bundled data and the ORT version. */
export function webSourceHash(): string {
  const h = createHash('sha256');
  const files = SOURCE_DIRS.flatMap(sourceFiles).sort();
  files.push(ECG5000_TEST, join(repo, 'node_modules', 'onnxruntime-web', 'package.json'), join(here, 'vite.config.ts'));
  for (const f of files) {
    h.update(f.slice(repo.length));
    h.update(statSync(f).size > 1e6 ? String(statSync(f).size) : readFileSync(f));
  }
  return h.digest('hex');
}

/** Runs `vite build` (in-process) unless dist/app already matches the sources; returns that folder. */
export async function ensureWebBuild(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const hash = webSourceHash();
  if (!options.force && existsSync(join(WEB_APP_DIR, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    return WEB_APP_DIR;
  }
  options.log?.('building the web page (vite) into runtime-web/page/dist/app ...');
  const vite = await import('vite').catch((e: Error) => {
    throw new EcgError(`building the web page needs vite (a devDependency): run "npm install" without --omit=dev (${e.message.split('\n')[0]})`);
  });
  // Built beside dist/app and swapped in, so a page being served (another test file) never sees half a build.
  try {
    await writeDirAtomic(WEB_APP_DIR, async (tmp) => {
      await vite.build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp } });
      writeFileSync(join(tmp, '.source-hash'), hash);
    });
  } catch (err) {
    // Two processes building at once: the loser's swap fails, but the winner's build is just as good.
    if (!(existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash)) throw err;
  }
  return WEB_APP_DIR;
}

// `node --import tsx runtime-web/page/build.ts [--force]`: what `npm run build` runs.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quiet = process.argv.includes('--quiet');
  await ensureWebBuild({ force: process.argv.includes('--force'), log: (line) => quiet || process.stderr.write(`build: ${line}\n`) });
}
