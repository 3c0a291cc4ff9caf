// Streaming predict on the tiny real ONNX model: label-column detection, batching across rows,
// formats, accuracy/confusion counts, file errors, and the CLI process end to end.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../core/errors.js';
import { classificationReport } from '../../core/metrics.js';
import { createRng } from '../../core/random.js';
import { load, type NodeClassifier } from '../../runtime-node/index.js';
import { predictFile } from '../../runtime-node/predict/predict-file.js';
import { RunningReport } from '../../runtime-node/predict/running-report.js';
import { assertClose, TOLERANCES } from '../helpers/tolerances.js';
import { randomBeats, tinyOnnxModel } from './tiny-onnx.js';

const tiny = tinyOnnxModel({ seed: 5 });
const beats = randomBeats(23, 140, 9);
const best = beats.map((b) => {
  const p = tiny.expected(b);
  return p.indexOf(Math.max(...p));
});
// Labels: the model's own answer on even rows, a different class on odd rows -> accuracy 12/23.
const labels = best.map((k, i) => (i % 2 === 0 ? k : (k + 1) % 5) + 1);
let dir: string;
let clf: NodeClassifier;

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function run(path: string, options: { format?: string; batchSize?: number } = {}) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const result = await predictFile(path, clf, { ...options, out });
  return { ...result, text };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecg-predict-'));
  clf = await load(tiny.bytes, { device: 'cpu' });
});
afterAll(async () => {
  await clf.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('predictFile', () => {
  it('labelled TSV: rows in order across batches, accuracy and confusion matrix counted', async () => {
    const path = await file('labelled.tsv', beats.map((b, i) => `${labels[i]}\t${Array.from(b).join('\t')}`).join('\n') + '\n\n');
    const { rows, report, text } = await run(path, { format: 'tsv', batchSize: 5 });
    expect(rows).toBe(23);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('index\ttrue_label\tlabel\tname\tp_1\tp_2\tp_3\tp_4\tp_5');
    lines.slice(1).forEach((line, i) => {
      const f = line.split('\t');
      expect(f[0]).toBe(String(i));
      expect(f[1]).toBe(String(labels[i]));
      expect(f[2]).toBe(String(best[i]! + 1));
      assertClose(f.slice(4).map(Number), tiny.expected(beats[i]!), TOLERANCES.onnxAbs, `row ${i}`);
    });
    const expected = classificationReport(labels.map((l) => l - 1), best, tiny.classes);
    expect(report!.accuracy).toBeCloseTo(12 / 23, 12);
    expect(report).toEqual(expected);
  });

  it('no label column (CSV, whitespace .txt): detected from the column count, no report', async () => {
    const csv = await file('plain.csv', beats.map((b) => Array.from(b).join(',')).join('\r\n'));
    const txt = await file('plain.txt', beats.map((b) => '  ' + Array.from(b, (v) => v.toExponential(7)).join('  ')).join('\n'));
    for (const path of [csv, txt]) {
      const { rows, report, text } = await run(path, { format: 'json', batchSize: 7 });
      expect(rows).toBe(23);
      expect(report).toBeUndefined();
      const doc = JSON.parse(text) as { predictions: { index: number; label: string; trueLabel?: string; probabilities: number[] }[]; report?: unknown };
      expect(doc.report).toBeUndefined();
      expect(doc.predictions.map((p) => p.index)).toEqual([...beats.keys()]);
      doc.predictions.forEach((p, i) => {
        expect(p.trueLabel).toBeUndefined();
        expect(p.label).toBe(String(best[i]! + 1));
        assertClose(p.probabilities, tiny.expected(beats[i]!), 1e-4); // .txt rounds to 8 digits
      });
    }
  });

  it('table format prints rows then the accuracy report; tsv leaves it to the caller', async () => {
    const path = await file('t.tsv', beats.slice(0, 4).map((b, i) => `${labels[i]}\t${Array.from(b).join('\t')}`).join('\n'));
    const table = await run(path, { format: 'table' });
    expect(table.text).toMatch(/^ {2}index {3}true {2}label {2}class/);
    expect(table.text).toContain('confusion matrix (rows: true label, columns: predicted label)');
    expect(table.text).toContain(`accuracy ${((100 * table.report!.accuracy).toFixed(2))}%`);
    const tsv = await run(path, { format: 'tsv' });
    expect(table.reportNotWritten).toBe(false);
    expect(tsv.text).not.toContain('accuracy');
    expect(tsv.reportNotWritten).toBe(true);
    expect(tsv.report).toEqual(table.report);
  });

  it('file errors name the file and the line', async () => {
    const mixed = await file('mixed.tsv', `1\t${Array.from(beats[0]!).join('\t')}\n${Array.from(beats[1]!).join('\t')}\n`);
    await expect(run(mixed)).rejects.toThrow(/mixed\.tsv:2: expected 140 values after the label, found 139/);
    const unknown = await file('unknown.tsv', `1\t${Array.from(beats[0]!).join('\t')}\n9\t${Array.from(beats[1]!).join('\t')}\n`);
    await expect(run(unknown)).rejects.toThrow(/unknown\.tsv: data row 2 has label "9", which the model does not know \(it knows 1, 2, 3, 4, 5\)/);
    const short = await file('short.tsv', '1\t2\t3\n');
    await expect(run(short)).rejects.toThrow(/short\.tsv:1: expected 140 values \(or a label and 140 values\), found 3 fields/);
    const bad = await file('bad.tsv', `1\t${Array.from(beats[0]!).join('\t').replace(/^[^\t]+/, 'abc')}\n`);
    await expect(run(bad)).rejects.toThrow(/bad\.tsv:1 field 2: "abc" is not a number/);
    const empty = await file('empty.tsv', '\n\n');
    await expect(run(empty)).rejects.toThrow(DataFormatError);
    await expect(run(empty)).rejects.toThrow(/empty\.tsv: the file has no data rows/);
    await expect(run(join(dir, 'missing.tsv'))).rejects.toThrow(/missing\.tsv: cannot read the input file \(ENOENT\)/);
    await expect(run(empty, { format: 'xml' })).rejects.toThrow('unknown --format "xml"; valid formats: json, table, tsv');
  });
});

describe('RunningReport', () => {
  it('equals classificationReport on the same pairs', () => {
    const rng = createRng(3);
    const truth = Array.from({ length: 500 }, () => rng.int(5));
    const predicted = truth.map((t) => (rng.next() < 0.8 ? t : rng.int(4)));
    const running = new RunningReport(tiny.classes);
    truth.forEach((t, i) => running.add(t, predicted[i]!));
    expect(running.count).toBe(500);
    expect(running.finish()).toEqual(classificationReport(truth, predicted, tiny.classes));
  });
});

describe('ecg predict (CLI process)', () => {
  it('prints rows and accuracy, exits 0; a bad option exits 1 with the message', async () => {
    const model = await file('tiny.onnx', '');
    await writeFile(model, tiny.bytes);
    const path = await file('cli.tsv', beats.map((b, i) => `${labels[i]}\t${Array.from(b).join('\t')}`).join('\n'));
    const exec = promisify(execFile);
    const ok = await exec('node', ['cli/bin/ecg.js', 'predict', '--model', model, '--input', path, '--format', 'tsv', '--device', 'cpu', '--batch-size', '4']);
    expect(ok.stdout.trim().split('\n')).toHaveLength(24);
    expect(ok.stderr).toContain(`${model} on cpu`);
    expect(ok.stderr).toContain(`23 beats in`);
    expect(ok.stderr).toContain(`accuracy ${((100 * 12) / 23).toFixed(2)}%`);
    expect(ok.stderr).toContain('confusion matrix (rows: true label, columns: predicted label)'); // tsv: report on stderr
    const bad = await exec('node', ['cli/bin/ecg.js', 'predict', '--model', join(dir, 'nope.onnx'), '--input', path]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/^error: .*nope\.onnx: cannot read the model file \(ENOENT\)/m);
  });

  it('names the file when the model is truncated or random bytes, and exits 1', async () => {
    const path = await file('one.tsv', `${labels[0]}\t${Array.from(beats[0]!).join('\t')}`);
    const truncated = await file('truncated.onnx', '');
    await writeFile(truncated, tiny.bytes.subarray(0, Math.floor(tiny.bytes.length / 2)));
    const random = await file('random.onnx', '');
    await writeFile(random, Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    for (const model of [truncated, random]) {
      const bad = await promisify(execFile)('node', ['cli/bin/ecg.js', 'predict', '--model', model, '--input', path]).catch((e: { code: number; stderr: string }) => e);
      expect((bad as { code: number }).code, model).toBe(1);
      expect((bad as { stderr: string }).stderr).toMatch(new RegExp(`^error: ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (not an ONNX file|metadata_props has no)`, 'm'));
    }
  });
});
