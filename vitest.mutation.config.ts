// Vitest settings for the mutation run (npm run mutation): only the fast tests that cover the mutated scope, and
// the workspace packages aliased to this directory's sources so Stryker's sandbox copies are the ones imported.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const ROOT = dirname(fileURLToPath(import.meta.url));
const WORKSPACES = ['core', 'export', 'train', 'runtime-node', 'runtime-web', 'parity', 'cli'];

/** `@ecg-onnx/<name>[/<sub>]` -> `<ROOT>/<folder>/<ecg-source file>`: node_modules links point at the original tree. */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  return WORKSPACES.flatMap((folder) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, string | Record<string, string>>;
    };
    return Object.entries(pkg.exports ?? {}).flatMap(([sub, target]) => {
      const source = typeof target === 'object' ? target['ecg-source'] : undefined;
      if (source === undefined) return [];
      const specifier = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      return [{ find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`), replacement: join(ROOT, folder, source) }];
    });
  });
}

export default defineConfig({
  resolve: { alias: sourceAliases(), conditions: ['ecg-source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['ecg-source', ...defaultServerConditions], externalConditions: ['ecg-source'] } },
  test: {
    // MUTATION_TESTS=glob,glob narrows the run to one folder's own tests. Use it instead of Stryker's
    // --testFiles: with --testFiles (a test filter) Stryker 9.6 activates static mutants (module-level
    // constants) after the module has loaded, so they survive whatever the tests assert
    // (stryker-mutator/stryker-js#6144, #6209).
    include: process.env.MUTATION_TESTS?.split(',') ?? [
      'test/core/**/*.test.ts',
      'test/export/*.test.ts',
      'test/runtime-node/server*.test.ts',
      'test/runtime-node/batcher.test.ts',
      'test/train/augment*.test.ts',
      'test/train/split*.test.ts',
    ],
    // CLI runs spawn `node` on the original tree (not the sandbox), the trained model takes minutes to build,
    // the corpus is a slow sweep that the converter tests already cover layer by layer, and proto.test checks
    // the generated protobuf code (outside the scope; byte comparison fails on the sandbox copy).
    exclude: ['test/export/cli.test.ts', 'test/export/corpus.test.ts', 'test/export/trained-model.test.ts', 'test/export/proto.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
