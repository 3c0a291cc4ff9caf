// `ecg export` and `ecg inspect` end to end through the real CLI entry point.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readOnnxMetadataProps } from '../../core/metadata.js';
import { saveLayersModel, tempDir } from './fixtures.js';
import { apply, functional } from './models.js';
import { ECG_FROM_SOURCE } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const ecg = (...args: string[]) => run(process.execPath, [...ECG_FROM_SOURCE, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('ecg export / ecg inspect', () => {
  it('exports with a one-line summary, inspects the file, and fails cleanly on a bad path', async () => {
    const dir = await saveLayersModel(functional(9, 2, (x) => apply(tf.layers.conv1d({ filters: 3, kernelSize: 3, activation: 'relu' }), x)), await tempDir());
    const out = join(dir, 'out', 'm.onnx');
    const exported = await ecg('export', '--model', dir, '--out', out, '--no-optimize', '--opset', '15');
    expect(exported.stdout).toMatch(/m\.onnx: \d+ nodes \(.*Convx1.*\), [\d.]+ KiB, opset 15, not optimized, \d+ ms\n$/);
    expect(readOnnxMetadataProps(new Uint8Array(await readFile(out)))['ecg.input_length']).toBe('9');

    const inspected = await ecg('inspect', out);
    expect(inspected.stdout).toMatch(/IR 8, opset 15, producer ecg-onnx/);
    expect(inspected.stdout).toMatch(/input {2}beats \[N, 9, 2\]/);
    expect(inspected.stdout).toMatch(/output probabilities \[N, 3\]/);
    expect(inspected.stdout).toMatch(/ecg\.classes = \[\{"label":"0","name":"class 0"\}/);

    const failed = await ecg('export', '--model', join(dir, 'missing'), '--out', out).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/^error: .*missing: no such file or directory/m);
  });
});
