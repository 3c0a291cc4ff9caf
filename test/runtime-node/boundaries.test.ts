// The runtime's promise: the .onnx is all it needs. No file under runtime-node/ may import TF.js,
// training or exporter code (directly; core/ is shared and checked by its own rule below).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

describe('import boundaries', () => {
  it('runtime-node/ imports neither TF.js nor train/ nor export/', async () => {
    const files = await sources(join(ROOT, 'runtime-node'));
    expect(files.length).toBeGreaterThan(5);
    const bad: string[] = [];
    for (const file of files) {
      for (const spec of await importsOf(file)) {
        const target = spec.startsWith('.') ? relative(ROOT, resolve(file, '..', spec)) : spec;
        if (/^@tensorflow\//.test(target) || /^(train|export|runtime-web)(\/|$)/.test(target)) bad.push(`${relative(ROOT, file)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the core modules the runtime uses stay free of TF.js too', async () => {
    const bad: string[] = [];
    for (const file of await sources(join(ROOT, 'core'))) {
      for (const spec of await importsOf(file)) if (/^@tensorflow\/|^\.\.\/(train|export)\//.test(spec)) bad.push(`${relative(ROOT, file)} -> ${spec}`);
    }
    expect(bad).toEqual([]);
  });
});
