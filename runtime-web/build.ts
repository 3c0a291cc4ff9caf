// Builds the web page with Vite when runtime-web/dist is missing or older than its sources, so
// `ecg web`, the browser tests and the benchmarks always serve a page that matches the code.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EcgError } from '../core/errors.js';
import { writeDirAtomic } from '../core/atomic-file.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST_DIR = join(here, 'dist');
const STAMP = join(WEB_DIST_DIR, '.source-hash');
const SOURCE_DIRS = [here, join(here, '..', 'core')];

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
  files.push(join(here, '..', 'data', 'ECG5000', 'ECG5000_TEST.tsv'), join(here, '..', 'node_modules', 'onnxruntime-web', 'package.json'));
  for (const f of files) {
    h.update(f.slice(here.length));
    h.update(statSync(f).size > 1e6 ? String(statSync(f).size) : readFileSync(f));
  }
  return h.digest('hex');
}

/** Runs `vite build` (in-process) unless dist already matches the sources; returns the dist folder. */
export async function ensureWebBuild(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const hash = webSourceHash();
  if (!options.force && existsSync(join(WEB_DIST_DIR, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    return WEB_DIST_DIR;
  }
  options.log?.('building the web page (vite) into runtime-web/dist ...');
  const vite = await import('vite').catch((e: Error) => {
    throw new EcgError(`building the web page needs vite (a devDependency): run "npm install" without --omit=dev (${e.message.split('\n')[0]})`);
  });
  // Built beside dist and swapped in, so a page being served (another test file) never sees half a build.
  try {
    await writeDirAtomic(WEB_DIST_DIR, async (tmp) => {
      await vite.build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp } });
      writeFileSync(join(tmp, '.source-hash'), hash);
    });
  } catch (err) {
    // Two processes building at once: the loser's swap fails, but the winner's build is just as good.
    if (!(existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash)) throw err;
  }
  return WEB_DIST_DIR;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureWebBuild({ force: true, log: console.log });
  console.log(`built ${WEB_DIST_DIR}`);
}
