// CI's summary line (tools/test-summary.mjs) on real vitest JSON reports of a fixture suite with a
// throwing beforeAll and a throwing afterAll: the line counts them as failures and exits non-zero,
// agreeing with vitest's own exit code, even when the exit status it is given says 0.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'tools', 'fixtures', 'hooks');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-summary-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** vitest on one fixture file (or all three) with the JSON reporter; its exit code and report path. */
function vitest(fixture: string | undefined): { code: number; report: string } {
  const report = join(dir, `${fixture ?? 'all'}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(fixture ? { FIXTURE: fixture } : {}) };
  delete env.VITEST; // a nested run, not a worker of this one
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs', '--outputFile', report], { cwd: FIXTURES, env, encoding: 'utf8' });
  return { code: r.status ?? -1, report };
}

function summary(report: string, status: number): { code: number; passed: number; failed: number; stderr: string } {
  const r = spawnSync(process.execPath, ['tools/test-summary.mjs', report, String(status)], { cwd: REPO_ROOT, encoding: 'utf8' });
  const m = r.stdout.trim().match(/^(\d+) passed, (\d+) failed$/);
  expect(m, r.stdout).not.toBeNull();
  return { code: r.status ?? -1, passed: Number(m![1]), failed: Number(m![2]), stderr: r.stderr };
}

describe('tools/test-summary.mjs on vitest JSON reports', () => {
  it('a throwing beforeAll (its tests skipped) counts as a failure', async () => {
    const run = vitest('before-all.fixture.ts');
    expect(run.code).not.toBe(0);
    const report = JSON.parse(await readFile(run.report, 'utf8'));
    expect(report.numFailedTests).toBe(0); // what the old line counted: "0 failed"
    for (const status of [run.code, 0]) {
      const s = summary(run.report, status);
      expect(s).toMatchObject({ passed: 0, code: 1 });
      expect(s.failed).toBeGreaterThan(0);
      expect(s.stderr).toContain('beforeAll failed on purpose');
    }
  });

  it('a throwing afterAll after passing tests counts as a failure', async () => {
    const run = vitest('after-all.fixture.ts');
    expect(run.code).not.toBe(0);
    expect(JSON.parse(await readFile(run.report, 'utf8')).numFailedTests).toBe(0);
    for (const status of [run.code, 0]) {
      const s = summary(run.report, status);
      expect(s).toMatchObject({ passed: 1, failed: 1, code: 1 });
      expect(s.stderr).toContain('afterAll failed on purpose');
    }
  });

  it('the whole fixture suite: both hook failures counted, the passing file not; a clean run says 0 failed and exits 0', () => {
    const all = vitest(undefined);
    expect(all.code).not.toBe(0);
    expect(summary(all.report, all.code)).toMatchObject({ passed: 3, failed: 2, code: 1 });
    const clean = vitest('passing.fixture.ts');
    expect(clean.code).toBe(0);
    expect(summary(clean.report, clean.code)).toMatchObject({ passed: 2, failed: 0, code: 0 });
    // The line and the exit code agree with vitest's: non-zero exactly when vitest's was.
    expect(summary(clean.report, 1)).toMatchObject({ failed: 1, code: 1 });
    expect(summary(join(dir, 'missing.json'), 1)).toMatchObject({ passed: 0, failed: 1, code: 1 });
  });
});
