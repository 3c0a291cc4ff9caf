// Reads the workspace the way the package manager and the bundler see it: each package's manifest,
// which of its files are published code and which only build it, and every module each file imports
// (TypeScript's own pre-processor: static, type-only, side-effect, re-export, dynamic import(), require()).
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Manifest {
  name: string;
  version: string;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  files?: string[];
  imports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  /** Folder relative to the repository root, e.g. "export". */
  dir: string;
  manifest: Manifest;
  /** Files whose code ships and runs (what tsc compiles, and the plain JS a package ships). */
  runtimeFiles: string[];
  /** Files that only build the package (the page's sources, its Vite config): devDependencies allowed. */
  buildFiles: string[];
}

export function workspaceDirs(): string[] {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
}

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      // A nested workspace package is its own package.
      if (!statSync(join(path, 'package.json'), { throwIfNoEntry: false })) out.push(...walk(path, keep));
    } else if (keep(path)) out.push(path);
  }
  return out.sort();
}

const CODE = /\.(ts|mts|js|mjs)$/;

/** The files tsc compiles for the package (its tsconfig "include"). */
function compiledFiles(dir: string, all: string[]): string[] {
  const config = join(dir, 'tsconfig.json');
  if (!statSync(config, { throwIfNoEntry: false })) return [];
  const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error(`cannot read ${config}`);
  const names = new Set(parsed.fileNames.map((f) => resolve(f)));
  return all.filter((f) => names.has(f) && !f.endsWith('.d.ts'));
}

export function readPackage(dir: string): WorkspacePackage {
  const abs = join(ROOT, dir);
  const manifest = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as Manifest;
  const all = walk(abs, (p) => CODE.test(p));
  // What tsc compiles, plus the plain JavaScript the package ships as it is (a bin, generated code).
  const runtime = [...compiledFiles(abs, all), ...all.filter((f) => /\.m?js$/.test(f))];
  const runtimeSet = new Set(runtime);
  return { dir, manifest, runtimeFiles: [...runtimeSet].sort(), buildFiles: all.filter((f) => !runtimeSet.has(f) && !f.endsWith('.d.ts')) };
}

export function workspacePackages(): WorkspacePackage[] {
  return workspaceDirs().map(readPackage);
}

const RESOLVE = /\b(?:require|import\.meta)\.resolve\(\s*['"]([^'"]+)['"]/g;

/** Every module specifier `source` imports, in any form TypeScript or Node understands (and resolve() calls). */
export function importsIn(source: string): string[] {
  const imports = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  return [...imports, ...[...source.matchAll(RESOLVE)].map((m) => m[1]!)];
}

export function importsOf(file: string): string[] {
  return importsIn(readFileSync(file, 'utf8'));
}

const BUILTINS = new Set(builtinModules);

export type Target =
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string; subpath: string }
  | { kind: 'relative'; path: string }
  | { kind: 'virtual'; name: string }
  | { kind: 'subpath-import'; name: string };

/** What a specifier points at: a Node builtin, a package (name + subpath), or a file. */
export function classify(spec: string, fromFile: string): Target {
  if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!)) return { kind: 'builtin', name: spec.replace(/^node:/, '') };
  if (spec.startsWith('.') || spec.startsWith('/')) return { kind: 'relative', path: resolve(dirname(fromFile), spec) };
  if (spec.startsWith('virtual:')) return { kind: 'virtual', name: spec };
  if (spec.startsWith('#')) return { kind: 'subpath-import', name: spec };
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  return { kind: 'package', name: parts.slice(0, n).join('/'), subpath: ['.', ...parts.slice(n)].join('/') };
}

export const rel = (file: string) => relative(ROOT, file);

/** The specifiers a package.json "imports" entry (#name) maps to, under every condition. */
export function subpathTargets(manifest: Manifest, name: string): string[] {
  const entry = manifest.imports?.[name];
  if (entry === undefined) return [];
  return typeof entry === 'string' ? [entry] : Object.values(entry);
}
