// Test runner settings: long timeouts (training, browsers), few workers (2-core machines), workspace
// packages resolved to their TypeScript sources (the "ecg-source" export condition), and a JSON report
// that .ci/run turns into the "N passed, N failed" line CI reads.
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['ecg-source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['ecg-source', ...defaultServerConditions], externalConditions: ['ecg-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest-report.json' },
  },
});
