// The layout's promise, checked on the sources: runtimes never import TF.js, training or exporter code,
// the exporter never imports a runtime, and core/ (shared by all) imports none of the stages.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

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

/** Folder -> what no file in it may import (packages, or repo folders relative to the root). */
const RULES: readonly { dir: string; forbidden: RegExp; why: string }[] = [
  { dir: 'runtime-node', forbidden: /^(@tensorflow\/|(train|export|runtime-web|parity)(\/|$))/, why: 'the .onnx is all a runtime needs' },
  { dir: 'runtime-web', forbidden: /^(@tensorflow\/|onnxruntime-node|(train|export|runtime-node|parity)(\/|$))/, why: 'the .onnx is all a runtime needs' },
  { dir: 'export', forbidden: /^(onnxruntime-|(train|runtime-node|runtime-web|parity)(\/|$))/, why: 'the exporter reads the saved-model format, never a runtime' },
  { dir: 'core', forbidden: /^(@tensorflow\/|onnxruntime-|(train|export|runtime-node|runtime-web|parity)(\/|$))/, why: 'every stage shares core/' },
];

describe('import boundaries (the layout tells the data flow)', () => {
  for (const rule of RULES) {
    it(`${rule.dir}/ imports nothing matching ${rule.forbidden}: ${rule.why}`, async () => {
      const files = await sources(join(ROOT, rule.dir));
      expect(files.length).toBeGreaterThan(2);
      const bad: string[] = [];
      for (const file of files) {
        for (const spec of await importsOf(file)) {
          const target = spec.startsWith('.') ? relative(ROOT, resolve(file, '..', spec)) : spec;
          if (rule.forbidden.test(target)) bad.push(`${relative(ROOT, file)} -> ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('the check sees a forbidden import when there is one', () => {
    expect(RULES[0]!.forbidden.test('train/model.js')).toBe(true);
    expect(RULES[2]!.forbidden.test('onnxruntime-node')).toBe(true);
    expect(RULES[3]!.forbidden.test('@tensorflow/tfjs')).toBe(true);
  });
});
