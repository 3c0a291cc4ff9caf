// The Node classifier against the real onnxruntime-node CPU library: answers, order, batching,
// input validation before the session runs, and loading errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, ModelFormatError } from '../../core/errors.js';
import { load, type SessionFactory } from '../../runtime-node/index.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel();

/** The real CPU session, with a counter of run() calls and the batch sizes they saw. */
function countingFactory(): { factory: SessionFactory; batches: number[] } {
  const batches: number[] = [];
  const factory: SessionFactory = async (model, options) => {
    const session = await InferenceSession.create(model, { ...options, executionProviders: ['cpu'] });
    const run = session.run.bind(session) as (feeds: InferenceSession.FeedsType) => Promise<InferenceSession.ReturnType>;
    (session as { run: unknown }).run = (feeds: InferenceSession.FeedsType) => {
      batches.push(feeds.beats!.dims[0]!);
      return run(feeds);
    };
    return session;
  };
  return { factory, batches };
}

describe('load + classify (onnxruntime-node CPU)', () => {
  it('reads the metadata and returns softmax(xW+b) per beat, in input order, across batch splits', async () => {
    const { factory, batches } = countingFactory();
    const clf = await load(tiny.bytes, { device: 'cpu', maxBatch: 3, sessionFactory: factory });
    expect(clf.provider).toBe('cpu');
    expect(clf.metadata.inputLength).toBe(140);
    expect(clf.metadata.classes.map((c) => c.label)).toEqual(['1', '2', '3', '4', '5']);
    const beats = randomBeats(10, 140, 3);
    const preds = await clf.classify(beats);
    expect(batches).toEqual([3, 3, 3, 1]);
    expect(preds).toHaveLength(10);
    preds.forEach((p, i) => {
      const expected = tiny.expected(beats[i]!);
      assertClose(p.probabilities, expected, TOLERANCES.onnxAbs, `beat ${i}`);
      const best = expected.indexOf(Math.max(...expected));
      expect(p.classIndex).toBe(best);
      expect(p.label).toBe(tiny.classes[best]!.label);
      expect(p.name).toBe(tiny.classes[best]!.name);
    });
    await clf.dispose();
  });

  it('accepts plain number arrays and a file path, and runPacked splits oversized batches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-rt-'));
    const path = join(dir, 'tiny.onnx');
    await writeFile(path, tiny.bytes);
    const clf = await load(path, { device: 'cpu', maxBatch: 4 });
    const beats = randomBeats(9, 140, 4);
    const fromArrays = await clf.classify(beats.map((b) => Array.from(b)));
    const packed = new Float32Array(9 * 140);
    beats.forEach((b, i) => packed.set(b, i * 140));
    const flat = await clf.runPacked(packed, 9);
    expect(flat).toHaveLength(45);
    beats.forEach((b, i) => {
      assertClose(fromArrays[i]!.probabilities, tiny.expected(b), TOLERANCES.onnxAbs);
      assertClose(flat.subarray(i * 5, i * 5 + 5), tiny.expected(b), TOLERANCES.onnxAbs);
    });
    await clf.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('input validation happens before the session runs', () => {
  const cases: [string, () => unknown[], RegExp, number | undefined][] = [
    ['empty batch', () => [], /empty batch/, undefined],
    ['wrong length', () => [new Float32Array(140), new Float32Array(139)], /^beat 1: expected 140 values/, 1],
    ['NaN', () => [new Float32Array(140), new Float32Array(140), Float32Array.from({ length: 140 }, (_, j) => (j === 7 ? NaN : 0))], /^beat 2: value 7 is NaN/, 2],
    ['Infinity', () => [[...new Array<number>(139).fill(0), -Infinity]], /^beat 0: value 139 is -Infinity/, 0],
    ['a string value', () => [[...new Array<number>(139).fill(0), '1']], /^beat 0: value 139 is string/, 0],
    ['not an array', () => [null], /^beat 0: expected an array of numbers/, 0],
  ];
  it.each(cases)('%s -> InvalidInputError naming the beat', async (_name, make, message, index) => {
    const { factory, batches } = countingFactory();
    const clf = await load(tiny.bytes, { device: 'cpu', sessionFactory: factory });
    const err = await clf.classify(make() as Float32Array[]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).message).toMatch(message);
    expect((err as InvalidInputError).index).toBe(index);
    expect(batches).toEqual([]);
    await clf.dispose();
  });

  it('rejects a bad maxBatch option', async () => {
    await expect(load(tiny.bytes, { maxBatch: 0 })).rejects.toThrow(/maxBatch must be a positive integer/);
  });
});

describe('loading errors name the file and what to do', () => {
  it('missing file', async () => {
    await expect(load('/nonexistent/model.onnx')).rejects.toThrow(ModelFormatError);
    await expect(load('/nonexistent/model.onnx')).rejects.toThrow(/nonexistent\/model\.onnx: cannot read the model file \(ENOENT\)/);
  });
  it('an .onnx without our metadata', async () => {
    await expect(load(tinyOnnxModel({ metadata: false }).bytes)).rejects.toThrow(/metadata_props has no "ecg.classes"/);
  });
  it('bytes that are not a model, on every device', async () => {
    const junk = tinyOnnxModel({ graph: false }).bytes; // our metadata, no graph
    for (const device of ['cpu', 'auto'] as const) {
      const err = await load(junk, { device }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toMatch(/^model bytes: onnxruntime cannot load it: .+; re-export it/);
    }
  });
});
