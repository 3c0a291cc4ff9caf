// `ecg train` / `ecg eval` / `ecg pipeline` as a user meets them: --help works, and bad input exits
// non-zero with one clear line naming the option, file, line or field, before anything is written.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainOptionsFromArgs, type TrainArgs } from '../../cli/commands/train.js';
import { PRESETS } from '../../train/options.js';
import { ECG_FROM_SOURCE } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
let tmp: string;

function ecg(...args: string[]) {
  const r = spawnSync(process.execPath, [...ECG_FROM_SOURCE, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ecg-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('--help', () => {
  it.each([
    ['train', ['--epochs', '--batch-size', '--seed', '--backend', '--out', '--data', '--split', '--preset', '--augment-noise']],
    ['eval', ['--model', '--data', '--json']],
  ])('ecg %s --help lists its options', (command, expected) => {
    const r = ecg(command, '--help');
    expect(r.code).toBe(0);
    for (const text of expected) expect(r.stdout).toContain(text);
  });
});

describe('option checks (in process: the same function the commands call)', () => {
  const args = (over: Partial<TrainArgs>): TrainArgs => ({ data: 'data/ECG5000', out: 'x', seed: 1, backend: 'cpu', preset: 'paper', augment: true, ...over });
  it.each([
    [{ 'batch-size': Number('abc') }, /--batch-size must be a positive integer, got NaN/],
    [{ lr: -1 }, /--lr must be in \(0, 1\)/],
    [{ 'augment-noise': -0.5 }, /--augment-noise must be >= 0/],
    [{ 'val-fraction': 1 }, /--val-fraction must be in \(0, 1\)/],
    [{ preset: 'fastest' }, /--preset "fastest" is unknown; use one of paper/],
  ] as [Partial<TrainArgs>, RegExp][])('rejects %o', (over, message) => {
    expect(() => trainOptionsFromArgs(args(over))).toThrow(message);
  });

  it('applies preset, then flags; --no-augment switches every transform off', () => {
    const o = trainOptionsFromArgs(args({ preset: 'cv', epochs: 5 }));
    expect(o.epochs).toBe(5);
    expect(o.schedule).toBe('cosine');
    expect(o.temperature).toBe(PRESETS.cv!.temperature);
    expect(trainOptionsFromArgs(args({ preset: 'cv', temperature: 2 })).temperature).toBe(2);
    expect(trainOptionsFromArgs(args({ preset: 'cv', teacher: 'runs/ensemble' })).temperature).toBeUndefined(); // a student: no second softening
    expect(trainOptionsFromArgs(args({ preset: 'cv', teacher: 'runs/ensemble', temperature: 1.2 })).temperature).toBe(1.2);
    expect(trainOptionsFromArgs(args({ augment: false })).augment).toEqual({ scale: 0, shift: 0, noise: 0, probability: 0 });
    expect(trainOptionsFromArgs(args({ 'augment-noise': 0.2 })).augment.noise).toBe(0.2);
  });
});

describe('bad input fails clearly and writes nothing', () => {
  const refuses = (args: string[], message: RegExp) => {
    const out = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const r = ecg(...args, '--out', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(existsSync(out)).toBe(false);
  };

  it('rejects a bad number, naming the option', () => {
    refuses(['train', '--epochs', '0'], /--epochs must be a positive integer, got 0/);
  });

  it('rejects an unknown backend with the valid choices', () => {
    refuses(['train', '--backend', 'gpu'], /Invalid values:[\s\S]*backend[\s\S]*auto/);
  });

  it('names the data directory that does not exist', () => {
    refuses(['train', '--backend', 'cpu', '--data', join(tmp, 'missing')], /missing: cannot read the data directory/);
  });

  it('names file, line and field of a bad value in the training file', async () => {
    const data = join(tmp, 'bad-data');
    await mkdir(data, { recursive: true });
    const good = (await readFile(join(ROOT, 'data/ECG5000/ECG5000_TRAIN.tsv'), 'utf8')).split('\n').slice(0, 4);
    const fields = good[2]!.split('\t');
    fields[4] = 'NaN';
    good[2] = fields.join('\t');
    await writeFile(join(data, 'X_TRAIN.tsv'), good.join('\n') + '\n');
    await writeFile(join(data, 'X_TEST.tsv'), good[0] + '\n');
    refuses(['train', '--backend', 'cpu', '--data', data], /X_TRAIN\.tsv:3 field 5: value "NaN" is NaN or infinite/);
  });

  it('eval names a model directory without model.json', () => {
    const r = ecg('eval', '--backend', 'cpu', '--model', join(tmp, 'no-model'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-model\/model\.json: cannot read a tfjs model\.json/);
  });
});

describe('class names on a data set that is not ECG5000', () => {
  it('ecg train --class-names carries the names into the saved model, the .onnx and both runtimes', async () => {
    const data = join(tmp, 'other-data');
    await mkdir(data, { recursive: true });
    const lines = (await readFile(join(ROOT, 'data/ECG5000/ECG5000_TRAIN.tsv'), 'utf8')).trim().split('\n');
    const relabel = (line: string, i: number) => [['-1', '2', '7'][i % 3], ...line.split('\t').slice(1)].join('\t');
    await writeFile(join(data, 'MINE_TRAIN.tsv'), lines.slice(0, 30).map(relabel).join('\n') + '\n');
    await writeFile(join(data, 'MINE_TEST.tsv'), lines.slice(30, 39).map(relabel).join('\n') + '\n');
    refusesNames(data);
    const out = join(tmp, 'named');
    const r = ecg('train', '--data', data, '--class-names=-1=noise,7=ectopic', '--epochs', '1', '--backend', 'wasm', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const named = [
      { label: '-1', name: 'noise' },
      { label: '2', name: 'class 2' },
      { label: '7', name: 'ectopic' },
    ];
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).spec.classes).toEqual(named);
    const { exportModel } = await import('../../export/node.js');
    const { bytes } = await exportModel(join(out, 'model'));
    const node = await (await import('../../runtime-node/index.js')).load(bytes, { device: 'cpu' });
    const web = await (await import('../../runtime-web/index.js')).load(bytes, { provider: 'wasm' });
    try {
      expect(node.metadata.classes).toEqual(named);
      expect(web.metadata.classes).toEqual(named);
      const beat = new Float32Array(140);
      expect(named.map((c) => c.name)).toContain((await node.classify([beat]))[0]!.name);
      expect((await web.classify([beat]))[0]!.name).toBe((await node.classify([beat]))[0]!.name);
    } finally {
      await node.dispose();
      await web.dispose();
    }
  });
});

/** A bad --class-names fails before training starts, and writes nothing. */
function refusesNames(data: string): void {
  const out = join(tmp, 'named-bad');
  const r = ecg('train', '--data', data, '--class-names', 'a,b', '--backend', 'cpu', '--out', out);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('--class-names has 2 names but the data has 3 classes (-1, 2, 7)');
  expect(existsSync(out)).toBe(false);
}
