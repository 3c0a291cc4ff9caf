// Each workspace package declares exactly what its code imports: a runtime import of an undeclared
// package fails, and so does a declared dependency that no file imports. Relative imports stay inside
// the package (a published tarball has nothing beside it), the browser entries reach no Node module,
// and every path an exports map names exists (sources, and after the build, dist/).
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, importsOf, readPackage, rel, ROOT, subpathTargets, workspacePackages, type Manifest, type WorkspacePackage } from '../helpers/imports.js';

const PACKAGES = workspacePackages();
const byName = new Map(PACKAGES.map((p) => [p.manifest.name, p]));
const runtimeDeclared = (m: Manifest) => new Set(Object.keys({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies }));

/** Packages the files import; a "#name" subpath import counts as every package its targets name. */
function packagesImported(files: string[], manifest: Manifest): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (name: string, where: string) => used.set(name, [...(used.get(name) ?? []), where]);
  for (const file of files) {
    for (const spec of importsOf(file)) {
      const t = classify(spec, file);
      if (t.kind === 'package') note(t.name, `${rel(file)} -> ${spec}`);
      else if (t.kind === 'subpath-import') {
        const targets = subpathTargets(manifest, t.name);
        if (targets.length === 0) note(t.name, `${rel(file)} -> ${spec} (not in package.json "imports")`);
        for (const target of targets) {
          const u = classify(target, file);
          if (u.kind === 'package') note(u.name, `${rel(file)} -> ${spec} -> ${target}`);
        }
      }
    }
  }
  return used;
}

/** The TypeScript source an exports-map subpath points at (the "ecg-source" condition). */
function sourceEntry(pkg: WorkspacePackage, subpath: string): string | undefined {
  const entry = pkg.manifest.exports?.[subpath] as Record<string, string> | string | undefined;
  const target = typeof entry === 'string' ? entry : (entry?.['ecg-source'] ?? entry?.default);
  return target === undefined ? undefined : join(ROOT, pkg.dir, target);
}

describe('every package declares exactly what it imports', () => {
  it('finds all nine workspace packages, one scope', () => {
    expect(PACKAGES.map((p) => p.manifest.name).sort()).toEqual([
      '@ecg-onnx/cli',
      '@ecg-onnx/core',
      '@ecg-onnx/ecg5000',
      '@ecg-onnx/parity',
      '@ecg-onnx/runtime-node',
      '@ecg-onnx/runtime-web',
      '@ecg-onnx/tfjs-layers-to-onnx',
      '@ecg-onnx/train',
      '@ecg-onnx/web-app',
    ]);
  });

  for (const pkg of PACKAGES) {
    describe(pkg.manifest.name, () => {
      it('imports at run time only packages it declares (dependencies, optional, peers)', () => {
        expect(pkg.runtimeFiles.length).toBeGreaterThan(0);
        const declared = runtimeDeclared(pkg.manifest);
        const undeclared = [...packagesImported(pkg.runtimeFiles, pkg.manifest)].filter(([name]) => !declared.has(name)).flatMap(([, where]) => where);
        expect(undeclared).toEqual([]);
      });

      it('declares no runtime dependency that none of its files imports', () => {
        const used = packagesImported(pkg.runtimeFiles, pkg.manifest);
        expect([...runtimeDeclared(pkg.manifest)].filter((name) => !used.has(name))).toEqual([]);
      });

      it('build-only files (page sources, configs) use only declared packages, and every devDependency is used', () => {
        const declared = new Set([...runtimeDeclared(pkg.manifest), ...Object.keys(pkg.manifest.devDependencies ?? {})]);
        const used = packagesImported(pkg.buildFiles, pkg.manifest);
        expect([...used].filter(([name]) => !declared.has(name)).flatMap(([, where]) => where)).toEqual([]);
        expect(Object.keys(pkg.manifest.devDependencies ?? {}).filter((name) => !used.has(name))).toEqual([]);
      });

      it('imports files only from inside its own folder', () => {
        const root = join(ROOT, pkg.dir) + sep;
        const nested = PACKAGES.filter((p) => p !== pkg && (join(ROOT, p.dir) + sep).startsWith(root)).map((p) => join(ROOT, p.dir) + sep);
        const outside: string[] = [];
        for (const file of [...pkg.runtimeFiles, ...pkg.buildFiles]) {
          for (const spec of importsOf(file)) {
            const t = classify(spec, file);
            if (t.kind === 'relative' && (!t.path.startsWith(root) || nested.some((n) => t.path.startsWith(n)))) outside.push(`${rel(file)} -> ${spec}`);
          }
        }
        expect(outside).toEqual([]);
      });

      it('has a README, a LICENSE, and every file its exports map names', () => {
        for (const f of ['README.md', 'LICENSE', 'package.json']) expect(existsSync(join(ROOT, pkg.dir, f)), `${pkg.dir}/${f}`).toBe(true);
        for (const [subpath, entry] of Object.entries(pkg.manifest.exports ?? {})) {
          for (const target of typeof entry === 'string' ? [entry] : Object.values(entry as Record<string, string>)) {
            expect(existsSync(join(ROOT, pkg.dir, target)), `${pkg.manifest.name} exports["${subpath}"] -> ${target} (run "npm run build")`).toBe(true);
          }
        }
      });
    });
  }
});

/** Every builtin reachable from `file` through relative imports and workspace-package entries. */
function nodeModulesReachable(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const found: string[] = [];
  for (const spec of importsOf(file)) {
    const t = classify(spec, file);
    if (t.kind === 'builtin') found.push(`${rel(file)} -> ${spec}`);
    else if (t.kind === 'relative') {
      const ts = t.path.replace(/\.js$/, '.ts');
      found.push(...nodeModulesReachable(existsSync(ts) ? ts : t.path, seen));
    } else if (t.kind === 'package' && byName.has(t.name)) {
      const entry = sourceEntry(byName.get(t.name)!, t.subpath);
      if (!entry) found.push(`${rel(file)} -> ${spec} (not in ${t.name}'s exports map)`);
      else found.push(...nodeModulesReachable(entry, seen));
    }
  }
  return found;
}

describe('browser entries reach no Node module', () => {
  for (const name of ['@ecg-onnx/core', '@ecg-onnx/tfjs-layers-to-onnx', '@ecg-onnx/runtime-web']) {
    it(`${name} (its main entry and everything it imports)`, () => {
      const entry = sourceEntry(byName.get(name)!, '.')!;
      expect(nodeModulesReachable(entry)).toEqual([]);
    });
  }

  it('the walk does see a Node module behind a Node entry', () => {
    expect(nodeModulesReachable(sourceEntry(byName.get('@ecg-onnx/tfjs-layers-to-onnx')!, './node')!).some((s) => s.includes('node:fs'))).toBe(true);
    expect(relative(ROOT, readPackage('core').runtimeFiles.find((f) => f.endsWith('node.ts'))!)).toBe(join('core', 'node.ts'));
  });
});
