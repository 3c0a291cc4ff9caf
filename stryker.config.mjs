// StrykerJS mutation testing (npm run mutation, not in CI): mutates core/, the exporter's passes and ops, the
// Node server and train/augment + split; runs only the tests covering each mutant; reports in test-artifacts/mutation/.
// MUTATION_OUT (default test-artifacts/mutation) moves the reports and the incremental file, so that
// folder-by-folder runs (npx stryker run --mutate 'core/**/*.ts' ...) keep their own.
const out = process.env.MUTATION_OUT ?? 'test-artifacts/mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'core/**/*.ts',
    'export/passes/**/*.ts',
    'export/ops/**/*.ts',
    'runtime-node/server/**/*.ts',
    'train/augment.ts',
    'train/split.ts',
    '!**/*.d.ts',
    '!**/dist/**',
    '!export/generated/**',
  ],
  ignorePatterns: ['dist', 'runs', 'test-artifacts', 'runtime-web/page/dist', 'bench', 'docs', '.ci', '*.tgz', '*.log'],
  incremental: true,
  incrementalFile: `${out}/stryker-incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 80, low: 60, break: null },
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  tempDirName: `${out}/stryker-tmp`,
  cleanTempDir: 'always',
};
