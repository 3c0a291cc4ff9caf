// The .onnx metadata contract on hand-built protobuf bytes: what encodeMetadata writes, what
// decodeMetadata accepts and refuses (with the file named), and the wire-format walker's errors.
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../core/errors.js';
import { decodeMetadata, encodeMetadata, INPUT_NAME, METADATA_KEYS, OUTPUT_NAME, readModelMetadata, readOnnxMetadataProps } from '../../core/metadata.js';
import { thrown } from '../helpers/thrown.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
};
const bytesField = (field: number, payload: number[]): number[] => [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
const text = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const entry = (key: string, value: string): number[] => bytesField(14, [...bytesField(1, text(key)), ...bytesField(2, text(value))]);

const CLASSES = [
  { label: '1', name: 'Normal' },
  { label: '2', name: 'PVC' },
];
const VALID: Record<string, string> = {
  'ecg.classes': JSON.stringify(CLASSES),
  'ecg.input_length': '140',
  'ecg.channels': '1',
};

const formatError = (fn: () => unknown) => thrown(fn, ModelFormatError).message;

describe('encodeMetadata', () => {
  it('writes the four required keys as strings and each optional key only when given', () => {
    const base = { classes: CLASSES, inputLength: 140, channels: 2, output: 'class probabilities (softmax), shape [N, K]' };
    expect(encodeMetadata(base)).toEqual({
      'ecg.classes': '[{"label":"1","name":"Normal"},{"label":"2","name":"PVC"}]',
      'ecg.input_length': '140',
      'ecg.channels': '2',
      'ecg.output': 'class probabilities (softmax), shape [N, K]',
    });
    expect(encodeMetadata({ ...base, testAccuracy: 0.921, sourceSha256: 'ab12', exportedAt: '2026-01-02T03:04:05Z' })).toMatchObject({
      'ecg.test_accuracy': '0.921',
      'ecg.source_sha256': 'ab12',
      'ecg.exported_at': '2026-01-02T03:04:05Z',
    });
    expect(METADATA_KEYS).toEqual({
      classes: 'ecg.classes',
      inputLength: 'ecg.input_length',
      channels: 'ecg.channels',
      output: 'ecg.output',
      testAccuracy: 'ecg.test_accuracy',
      sourceSha256: 'ecg.source_sha256',
      exportedAt: 'ecg.exported_at',
    });
  });
});

describe('decodeMetadata', () => {
  it('reads the required keys, fills the fixed names and defaults, keeps the raw map', () => {
    const m = decodeMetadata(VALID, 'm.onnx');
    expect(m).toEqual({
      classes: CLASSES,
      inputLength: 140,
      channels: 1,
      inputName: 'beats',
      outputName: 'probabilities',
      output: 'class probabilities',
      testAccuracy: undefined,
      sourceSha256: undefined,
      exportedAt: undefined,
      raw: VALID,
    });
    expect([INPUT_NAME, OUTPUT_NAME]).toEqual(['beats', 'probabilities']);
  });

  it('round-trips encodeMetadata, optional keys included', () => {
    const original = { classes: CLASSES, inputLength: 9, channels: 3, output: 'probs', testAccuracy: 0.5, sourceSha256: 'ff', exportedAt: 'now' };
    const m = decodeMetadata(encodeMetadata(original));
    expect(m).toMatchObject(original);
  });

  it('names the missing key and the file', () => {
    const { 'ecg.input_length': _dropped, ...rest } = VALID;
    expect(formatError(() => decodeMetadata(rest, 'm.onnx'))).toBe('m.onnx: metadata_props has no "ecg.input_length"; was this file written by "ecg export"?');
    expect(formatError(() => decodeMetadata({}))).toMatch(/^model: metadata_props has no "ecg.classes"/);
  });

  it('a complete beat-classifier map decodes even when it also carries the signature keys', () => {
    expect(decodeMetadata({ ...VALID, 'model.inputs': 'beats[N,140,1]' }).inputLength).toBe(140);
  });

  it('says "not an ECG beat classifier" for a model exported with its own signature', () => {
    const message = formatError(() => decodeMetadata({ 'model.inputs': 'x[N,3]' }, 'own.onnx'));
    expect(message).toMatch(/^own\.onnx: not an ECG beat classifier \(it was exported with its own signature, inputs x\[N,3\]\)/);
  });

  it('refuses classes that are not JSON, naming the key', () => {
    expect(formatError(() => decodeMetadata({ ...VALID, 'ecg.classes': '[{' }, 'm.onnx'))).toBe('m.onnx: metadata "ecg.classes" is not valid JSON');
  });

  it.each([['0'], ['-3'], ['1.5'], ['abc']])('refuses input length %s: a positive integer is required', (bad) => {
    expect(formatError(() => decodeMetadata({ ...VALID, 'ecg.input_length': bad }, 'm.onnx'))).toBe(`m.onnx: metadata "ecg.input_length" must be a positive integer, got "${bad}"`);
  });

  it('accepts 1 as the smallest length and channel count', () => {
    expect(decodeMetadata({ ...VALID, 'ecg.input_length': '1', 'ecg.channels': '1' })).toMatchObject({ inputLength: 1, channels: 1 });
    expect(formatError(() => decodeMetadata({ ...VALID, 'ecg.channels': '0' }))).toMatch(/"ecg.channels" must be a positive integer, got "0"/);
  });

  it('parses the test accuracy as a number', () => {
    expect(decodeMetadata({ ...VALID, 'ecg.test_accuracy': '0.875' }).testAccuracy).toBe(0.875);
  });
});

describe('readOnnxMetadataProps (protobuf wire format)', () => {
  it('collects field-14 entries and skips every other wire type', () => {
    const bytes = new Uint8Array([
      ...varint(1 * 8 + 0), ...varint(300), // ir_version: varint (multi-byte)
      ...bytesField(2, text('producer')), // producer_name: length-delimited, not field 14
      ...varint(3 * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8, // a fixed64
      ...varint(4 * 8 + 5), 9, 9, 9, 9, // a fixed32
      ...entry('a', 'x'),
      ...entry('ecg.classes', 'é'),
    ]);
    expect(readOnnxMetadataProps(bytes)).toEqual({ a: 'x', 'ecg.classes': 'é' });
  });

  it('reads a key whose entry has the value first, and an entry with an empty value', () => {
    const swapped = bytesField(14, [...bytesField(2, text('v')), ...bytesField(1, text('k'))]);
    const noValue = bytesField(14, bytesField(1, text('e')));
    expect(readOnnxMetadataProps(new Uint8Array([...swapped, ...noValue]))).toEqual({ k: 'v', e: '' });
  });

  it('an entry without a key is stored under "" (the protobuf default), and unknown fields inside an entry are skipped', () => {
    const keyless = bytesField(14, bytesField(2, text('lonely')));
    const extended = bytesField(14, [...bytesField(1, text('k')), ...bytesField(2, text('v')), ...bytesField(3, text('from a newer writer'))]);
    expect(readOnnxMetadataProps(new Uint8Array([...keyless, ...extended]))).toEqual({ '': 'lonely', k: 'v' });
  });

  it('reads a long entry whose length needs a two-byte varint', () => {
    const long = 'x'.repeat(200);
    expect(readOnnxMetadataProps(new Uint8Array(entry('k', long)))).toEqual({ k: long });
  });

  it('refuses a field that runs past the end, a truncated varint, an unknown wire type and an over-long varint', () => {
    expect(formatError(() => readOnnxMetadataProps(new Uint8Array([...varint(14 * 8 + 2), 5, 1, 2])))).toBe('not an ONNX file: a protobuf field runs past the end');
    expect(formatError(() => readOnnxMetadataProps(new Uint8Array([0x08, 0x80])))).toBe('not an ONNX file: truncated protobuf varint');
    expect(formatError(() => readOnnxMetadataProps(new Uint8Array([1 * 8 + 3])))).toBe('not an ONNX file: unknown protobuf wire type 3');
    expect(formatError(() => readOnnxMetadataProps(new Uint8Array([0x08, ...Array(10).fill(0x80), 0x01])))).toBe('not an ONNX file: bad protobuf varint');
  });

  it('accepts a field that ends exactly at the end of the buffer', () => {
    expect(readOnnxMetadataProps(new Uint8Array(entry('k', 'v')))).toEqual({ k: 'v' });
    expect(readOnnxMetadataProps(new Uint8Array(0))).toEqual({});
  });

  it('reads a ten-byte varint (2^63, the longest protobuf allows)', () => {
    const ten = [0x08, ...Array(9).fill(0x80), 0x01];
    expect(readOnnxMetadataProps(new Uint8Array([...ten, ...entry('k', 'v')]))).toEqual({ k: 'v' });
  });
});

describe('readModelMetadata', () => {
  const model = (props: Record<string, string>) => new Uint8Array(Object.entries(props).flatMap(([k, v]) => entry(k, v)));

  it('decodes the metadata of model bytes', () => {
    expect(readModelMetadata(model(VALID), 'm.onnx')).toMatchObject({ classes: CLASSES, inputLength: 140, channels: 1 });
  });

  it('prefixes wire-format errors with the source and a hint, once', () => {
    expect(formatError(() => readModelMetadata(new Uint8Array([0x08]), 'broken.onnx'))).toBe(
      'broken.onnx: not an ONNX file: truncated protobuf varint; pass the .onnx written by "ecg export"',
    );
    // decodeMetadata's own messages already start with the source: not prefixed again.
    expect(formatError(() => readModelMetadata(model({}), 'empty.onnx'))).toBe('empty.onnx: metadata_props has no "ecg.classes"; was this file written by "ecg export"?');
  });
});
