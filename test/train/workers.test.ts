// `ecg train --workers N` as a user runs it: the same seed and worker count give byte-identical
// history.json and weights; the count is recorded in metrics.json; bad counts are refused up front.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkers, resolveRecipe } from '../../train/options.js';
import { trainAndSave } from '../../train/run.js';
import { ECG_FROM_SOURCE, REPO_ROOT } from '../helpers/cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ecg-workers-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function train(out: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [...ECG_FROM_SOURCE, 'train', '--epochs', '1', '--seed', '5', '--backend', 'wasm', '--out', out, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ecg train --workers', () => {
  it('two workers twice: byte-identical weights and history.json; metrics.json records the count and the epoch times', async () => {
    const [a, b] = [join(tmp, 'a'), join(tmp, 'b')];
    for (const out of [a, b]) {
      const r = train(out, '--workers', '2');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('2 training threads');
    }
    expect(Buffer.compare(await readFile(join(a, 'model', 'weights.bin')), await readFile(join(b, 'model', 'weights.bin')))).toBe(0);
    // history.json holds no wall-clock times (they are metrics.json's epochSeconds), so it repeats byte for byte.
    expect((await readFile(join(b, 'history.json'), 'utf8')).length).toBeGreaterThan(50);
    expect(Buffer.compare(await readFile(join(a, 'history.json')), await readFile(join(b, 'history.json')))).toBe(0);
    const metrics = JSON.parse(await readFile(join(a, 'metrics.json'), 'utf8'));
    expect(metrics.workers).toBe(2);
    expect(metrics.epochSeconds).toHaveLength(1);
    expect(metrics.epochSeconds[0]).toBeGreaterThan(0);
  });

  it('refuses a count that is not a positive integer or exceeds the batch, before writing anything', async () => {
    for (const [workers, batchSize, message] of [
      [0, 32, '--workers must be a positive integer, got 0'],
      [1.5, 32, '--workers must be a positive integer, got 1.5'],
      [9, 8, '--workers 9 is more than the batch size 8'],
    ] as const) {
      const outDir = join(tmp, `bad-${workers}`);
      await expect(trainAndSave({ ...resolveRecipe('paper', { batchSize }), dataDir: 'data/ECG5000', outDir, seed: 1, backend: 'wasm', preset: 'paper', workers })).rejects.toThrow(message);
      expect(existsSync(outDir)).toBe(false);
    }
  });

  it('defaults to one thread per core, no more than leaves 16 beats per share', () => {
    expect(defaultWorkers(32, 2)).toBe(2);
    expect(defaultWorkers(32, 16)).toBe(2);
    expect(defaultWorkers(128, 16)).toBe(8);
    expect(defaultWorkers(32, 1)).toBe(1);
    expect(defaultWorkers(8, 4)).toBe(1);
  });
});
