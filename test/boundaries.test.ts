// The layout's promise, checked on what each package may pull in: runtimes never reach TF.js, training
// or exporter code; the exporter never reaches a runtime; core (shared by all) depends on nothing.
// packages/dependencies.test.ts proves that imports equal declarations, so checking the declared
// dependency closure here covers every import form (side-effect, require, re-export, dynamic).
import { describe, expect, it } from 'vitest';
import { importsIn, workspacePackages } from './helpers/imports.js';

const PACKAGES = new Map(workspacePackages().map((p) => [p.manifest.name, p.manifest]));

/** Every package `name` can load at run time: its dependencies, optional ones and peers, through workspace packages. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  const m = PACKAGES.get(name);
  if (!m) return seen;
  for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies })) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    closure(dep, seen);
  }
  return seen;
}

const RULES: readonly { pkg: string; forbidden: RegExp; why: string }[] = [
  { pkg: '@ecg-onnx/runtime-node', forbidden: /^(@tensorflow\/|onnxruntime-web$|@ecg-onnx\/(train|tfjs-layers-to-onnx|runtime-web|web-app|parity)$)/, why: 'the .onnx is all a runtime needs' },
  { pkg: '@ecg-onnx/runtime-web', forbidden: /^(@tensorflow\/|onnxruntime-node$|@ecg-onnx\/(train|tfjs-layers-to-onnx|runtime-node|web-app|parity)$)/, why: 'the .onnx is all a runtime needs' },
  { pkg: '@ecg-onnx/web-app', forbidden: /^(@tensorflow\/|onnxruntime-|@ecg-onnx\/(train|runtime-node|parity)$)/, why: 'the served page needs only its own built files' },
  { pkg: '@ecg-onnx/tfjs-layers-to-onnx', forbidden: /^(onnxruntime-|@ecg-onnx\/(train|runtime-node|runtime-web|web-app|parity)$)/, why: 'the exporter reads the saved-model format, never a runtime' },
  { pkg: '@ecg-onnx/core', forbidden: /./, why: 'every stage shares core: it depends on nothing' },
  { pkg: '@ecg-onnx/ecg5000', forbidden: /./, why: 'the data package is data' },
];

describe('package boundaries (the layout tells the data flow)', () => {
  for (const rule of RULES) {
    it(`${rule.pkg} can load nothing matching ${rule.forbidden}: ${rule.why}`, () => {
      expect(PACKAGES.has(rule.pkg)).toBe(true);
      expect([...closure(rule.pkg)].filter((d) => rule.forbidden.test(d))).toEqual([]);
    });
  }

  it('TF.js reaches the exporter only as an optional peer (for the in-memory LayersModel input)', () => {
    const m = PACKAGES.get('@ecg-onnx/tfjs-layers-to-onnx')!;
    expect(Object.keys({ ...m.dependencies, ...m.optionalDependencies }).filter((d) => d.startsWith('@tensorflow/'))).toEqual([]);
    expect(m.peerDependenciesMeta?.['@tensorflow/tfjs']?.optional).toBe(true);
  });

  it('the rules would catch a forbidden dependency: closure() follows workspace packages', () => {
    expect(closure('@ecg-onnx/parity').has('@tensorflow/tfjs')).toBe(true);
    expect(closure('@ecg-onnx/cli').has('onnxruntime-node')).toBe(true);
  });

  it('the import scanner sees every import form', () => {
    const source = [
      "import '@tensorflow/tfjs';",
      "import type { X } from 'type-only';",
      "export * from 'reexported';",
      "export { y } from 'named-reexport';",
      "const a = await import('dynamic');",
      "const b = require('required');",
      "import { z } from '../train/gru.js';",
    ].join('\n');
    expect(importsIn(source)).toEqual(['@tensorflow/tfjs', 'type-only', 'reexported', 'named-reexport', 'dynamic', 'required', '../train/gru.js']);
  });
});
