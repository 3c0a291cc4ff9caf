#!/usr/bin/env node
// Turns vitest's JSON report into the one line CI reads, "N passed, M failed", so that the line and the
// exit code always agree: a file that failed without a failed test (a throwing beforeAll/afterAll, an
// import error) counts as a failure, and so does a test run that exited non-zero for any other reason
// (a missing report, an unhandled error, a build step that failed before vitest ran).
// Usage: node tools/test-summary.mjs REPORT.json EXIT_STATUS
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function summarize(report, exitStatus) {
  let passed = 0;
  let failed = 0;
  const problems = [];
  for (const file of report?.testResults ?? []) {
    const results = file.assertionResults ?? [];
    const failedHere = results.filter((a) => a.status === 'failed').length;
    passed += results.filter((a) => a.status === 'passed').length;
    failed += failedHere;
    if (file.status === 'failed' && failedHere === 0) {
      failed += 1;
      problems.push(`${file.name}: ${(file.message || 'failed outside any test (a hook or an import)').split('\n')[0]}`);
    }
  }
  if (report && report.success === false && failed === 0) {
    failed += 1;
    problems.push('vitest reported failure (an unhandled error?) without a failed test');
  }
  if (exitStatus !== 0 && failed === 0) {
    failed += 1;
    problems.push(report ? `the test command exited ${exitStatus}` : `the test command exited ${exitStatus} and wrote no report`);
  }
  return { passed, failed, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [path, status] = process.argv.slice(2);
  const report = path && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  const { passed, failed, problems } = summarize(report, Number(status ?? 0));
  for (const p of problems) process.stderr.write(`test-summary: ${p}\n`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
