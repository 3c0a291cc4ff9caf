// `npm run bench:packages`: what each package weighs once installed with its dependencies (each alone in
// a fresh project, from its tarball, the rest from the registry/cache), against the whole workspace
// install, and how long `ecg --help` takes compiled vs run from source through tsx. Prints a table.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function du(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function installAlone(tarballs: string[], names: string[]): Promise<{ bytes: number; packages: number; seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-size-'));
  try {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'size', private: true, type: 'module' }));
    await writeFile(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
    // The wanted package's tarball, plus the tarballs of the workspace packages it depends on.
    const started = performance.now();
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.filter((t) => names.some((n) => t.includes(n)))], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const seconds = (performance.now() - started) / 1000;
    const packages = (execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').length) - 1;
    return { bytes: du(join(dir, 'node_modules')), packages, seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function timeCommand(args: string[], runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const packDir = await mkdtemp(join(tmpdir(), 'ecg-packs-'));
execFileSync('npm', ['pack', '--workspaces', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT, stdio: 'ignore' });
const tarballs = (await readdir(packDir)).map((f) => join(packDir, f));

// Each row: the package and the workspace packages it pulls in (by tarball name).
const SCENARIOS: [string, string[]][] = [
  ['@ecg-onnx/core', ['ecg-onnx-core-']],
  ['@ecg-onnx/runtime-web', ['ecg-onnx-runtime-web-', 'ecg-onnx-core-']],
  ['@ecg-onnx/tfjs-layers-to-onnx', ['ecg-onnx-tfjs-layers-to-onnx-', 'ecg-onnx-core-']],
  ['@ecg-onnx/runtime-node', ['ecg-onnx-runtime-node-', 'ecg-onnx-core-']],
  ['@ecg-onnx/train', ['ecg-onnx-train-', 'ecg-onnx-core-', 'ecg-onnx-ecg5000-']],
  ['@ecg-onnx/cli (everything)', ['ecg-onnx-']],
];

const rows: string[][] = [];
for (const [name, parts] of SCENARIOS) {
  const r = await installAlone(tarballs, parts);
  rows.push([name, mib(r.bytes), String(r.packages), r.seconds.toFixed(1)]);
}
rows.push(['this repository (npm ci: every workspace + dev tools)', mib(du(join(ROOT, 'node_modules'))), '', '']);
await rm(packDir, { recursive: true, force: true });

const compiled = timeCommand(['cli/bin/ecg.js', '--help']);
const fromSource = timeCommand(['--conditions=ecg-source', '--import', 'tsx', 'cli/index.ts', '--help']);

const table = (header: string[], body: string[][]) => {
  const w = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padEnd(w[c]!)).join('  ');
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
};
console.log(table(['installed alone (with its dependencies)', 'MiB', 'packages', 'install s'], rows));
console.log(`\necg --help, median of 5: compiled ${compiled.toFixed(0)} ms, from source through tsx ${fromSource.toFixed(0)} ms (${(fromSource / compiled).toFixed(1)}x)`);
