// The Triton model repository: config content derived from the .onnx metadata, layout, atomic
// replacement, option errors, and the CLI command.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeMetadata, readOnnxMetadataProps } from '../../core/metadata.js';
import { load } from '../../runtime-node/index.js';
import { tritonConfig, writeTritonRepository } from '../../runtime-node/triton.js';
import { tinyOnnxModel } from './tiny-onnx.js';

/** A write the mocked node:fs/promises fails (ENOSPC), for "untouched on failure"; none unless a test sets it. */
const fault = vi.hoisted(() => ({ writeFile: undefined as ((path: string) => boolean) | undefined, attempted: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (path, data, options) => {
    fault.attempted.push(String(path));
    if (fault.writeFile?.(String(path))) throw Object.assign(new Error('ENOSPC: injected write failure'), { code: 'ENOSPC' });
    return fs.writeFile(path, data, options);
  };
  return { ...fs, default: { ...fs, writeFile }, writeFile };
});

const classes = [
  { label: '1', name: 'Normal' },
  { label: '2', name: 'R-on-T PVC' },
  { label: '3', name: 'PVC' },
];
const tiny = tinyOnnxModel({ inputLength: 50, channels: 2, classes });
let dir: string;
let onnx: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-triton-'));
  onnx = join(dir, 'tiny.onnx');
  await writeFile(onnx, tiny.bytes);
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  fault.writeFile = undefined;
  fault.attempted = [];
});

/** The few protobuf-text fields a Triton ModelConfig needs, read back from config.pbtxt. */
function fields(config: string) {
  const get = (re: RegExp) => config.match(re)?.slice(1);
  return {
    name: get(/^name: "([^"]+)"$/m)?.[0],
    backend: get(/^backend: "([^"]+)"$/m)?.[0],
    maxBatch: Number(get(/^max_batch_size: (\d+)$/m)?.[0]),
    input: get(/input \[\s*\{\s*name: "([^"]+)"\s*data_type: (\w+)\s*dims: \[ ([\d, ]+) \]/),
    output: get(/output \[\s*\{\s*name: "([^"]+)"\s*data_type: (\w+)\s*dims: \[ ([\d, ]+) \]\s*label_filename: "([^"]+)"/),
    delay: Number(get(/dynamic_batching \{\s*max_queue_delay_microseconds: (\d+)\s*\}/)?.[0]),
  };
}

describe('tritonConfig', () => {
  it('names, dims (without the batch dim), max batch and dynamic batching come from the model', () => {
    const metadata = decodeMetadata(readOnnxMetadataProps(tiny.bytes));
    const f = fields(tritonConfig(metadata, { name: 'heart', maxBatch: 32, maxQueueDelayUs: 500 }));
    expect(f).toEqual({
      name: 'heart',
      backend: 'onnxruntime',
      maxBatch: 32,
      input: ['beats', 'TYPE_FP32', '50, 2'],
      output: ['probabilities', 'TYPE_FP32', '3', 'labels.txt'],
      delay: 500,
    });
    expect(fields(tritonConfig(metadata))).toMatchObject({ name: 'ecg', maxBatch: 64, delay: 2000 });
  });

  it('rejects names that are not folder-safe and bad numbers', () => {
    const metadata = decodeMetadata(readOnnxMetadataProps(tiny.bytes));
    expect(() => tritonConfig(metadata, { name: '../x' })).toThrow(/--name "..\/x" must be letters, digits/);
    expect(() => tritonConfig(metadata, { maxBatch: 0 })).toThrow('--max-batch must be a positive integer, got 0');
  });
});

describe('writeTritonRepository', () => {
  it('writes DIR/<name>/{config.pbtxt,labels.txt,1/model.onnx}; the copy loads with the same signature', async () => {
    const repoDir = join(dir, 'repo');
    await mkdir(join(repoDir, 'other-model'), { recursive: true });
    const repo = await writeTritonRepository(onnx, repoDir, { name: 'ecg' });
    expect((await readdir(repoDir)).sort()).toEqual(['ecg', 'other-model']);
    expect((await readdir(repo.modelDir)).sort()).toEqual(['1', 'config.pbtxt', 'labels.txt']);
    expect(await readFile(join(repo.modelDir, 'labels.txt'), 'utf8')).toBe('Normal\nR-on-T PVC\nPVC\n');
    const copy = new Uint8Array(await readFile(repo.modelPath));
    expect(Buffer.compare(copy, tiny.bytes)).toBe(0);
    const clf = await load(repo.modelPath, { device: 'cpu' });
    const f = fields(await readFile(repo.configPath, 'utf8'));
    expect(f.input![2]).toBe(`${clf.metadata.inputLength}, ${clf.metadata.channels}`);
    expect(f.output![2]).toBe(String(clf.metadata.classes.length));
    await clf.dispose();
  });

  it('replaces an existing model folder as a whole (no stale files)', async () => {
    const repoDir = join(dir, 'repo2');
    await mkdir(join(repoDir, 'ecg', '2'), { recursive: true });
    await writeFile(join(repoDir, 'ecg', '2', 'model.onnx'), 'stale');
    await writeTritonRepository(onnx, repoDir, { maxBatch: 8 });
    expect((await readdir(join(repoDir, 'ecg'))).sort()).toEqual(['1', 'config.pbtxt', 'labels.txt']);
    expect(fields(await readFile(join(repoDir, 'ecg', 'config.pbtxt'), 'utf8')).maxBatch).toBe(8);
    expect((await readdir(repoDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a write failing inside the atomic write leaves the existing model folder untouched', async () => {
    const repoDir = join(dir, 'repo-enospc');
    await writeTritonRepository(onnx, repoDir, { maxBatch: 8 });
    await writeFile(join(repoDir, 'other-model'), 'another model of the repository');
    const before = await readFile(join(repoDir, 'ecg', 'config.pbtxt'), 'utf8');
    fault.attempted = [];
    fault.writeFile = (p) => p.endsWith('model.onnx');
    await expect(writeTritonRepository(onnx, repoDir, { maxBatch: 16 })).rejects.toThrow(/ENOSPC: injected/);
    // It failed at the last file of the new folder, after config.pbtxt and labels.txt were written
    // into the temporary folder beside it, so the atomic replacement is what kept the old one.
    expect(fault.attempted.map((p) => p.slice(repoDir.length + 1).replace(/^\.ecg\.[^/]+\.tmp/, 'TMP'))).toEqual(['TMP/config.pbtxt', 'TMP/labels.txt', 'TMP/1/model.onnx']);
    expect(await readFile(join(repoDir, 'ecg', 'config.pbtxt'), 'utf8')).toBe(before);
    expect(fields(before).maxBatch).toBe(8);
    expect(await readFile(join(repoDir, 'ecg', '1', 'model.onnx'))).toEqual(Buffer.from(tiny.bytes));
    expect((await readdir(repoDir)).sort()).toEqual(['ecg', 'other-model']);
  });

  it('a missing .onnx leaves the repository untouched', async () => {
    const repoDir = join(dir, 'repo3');
    await expect(writeTritonRepository(join(dir, 'none.onnx'), repoDir)).rejects.toThrow(/none\.onnx: cannot read the model file \(ENOENT\)/);
    await expect(readdir(repoDir)).rejects.toThrow(/ENOENT/);
  });

  it('ecg triton (CLI process) writes the repository and says how to run it', async () => {
    const out = join(dir, 'cli-repo');
    const { stdout } = await promisify(execFile)('node', ['cli/bin/ecg.js', 'triton', '--onnx', onnx, '--out', out, '--name', 'ecg5000', '--max-batch', '16']);
    expect(stdout).toContain(join(out, 'ecg5000', 'config.pbtxt'));
    expect(stdout).toContain('tritonserver --model-repository=/models');
    expect(fields(await readFile(join(out, 'ecg5000', 'config.pbtxt'), 'utf8'))).toMatchObject({ name: 'ecg5000', maxBatch: 16 });
  });
});
