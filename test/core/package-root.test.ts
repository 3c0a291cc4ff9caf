// packageRoot: the nearest parent folder whose package.json has the asked-for name, from a source or a
// compiled module alike; an unknown name is an internal error naming the module it started from.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/node.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('packageRoot', () => {
  it('finds the package folder from a module inside it, at any depth', () => {
    expect(packageRoot(pathToFileURL(join(ROOT, 'core', 'node.ts')).href, '@ecg-onnx/core')).toBe(join(ROOT, 'core'));
    expect(packageRoot(pathToFileURL(join(ROOT, 'core', 'dist', 'deep', 'x.js')).href, '@ecg-onnx/core')).toBe(join(ROOT, 'core'));
  });

  it('skips package.json files of other names on the way up', () => {
    expect(packageRoot(pathToFileURL(join(ROOT, 'core', 'node.ts')).href, 'ecg-onnx')).toBe(ROOT);
  });

  it('throws, naming the package and the module, when no parent has that name', () => {
    const from = join(ROOT, 'core', 'node.ts');
    expect(() => packageRoot(pathToFileURL(from).href, '@ecg-onnx/nowhere')).toThrow(`internal: no package.json named "@ecg-onnx/nowhere" above ${from}`);
  });
});
