// What an exported .onnx file says about itself (ModelProto.metadata_props), written by export/ and
// read by every runtime. The reader walks protobuf wire format directly so runtimes need neither the
// exporter nor the generated ONNX classes, and it works in the browser.
import { ModelFormatError } from './errors.js';
import type { ClassInfo } from './spec.js';

/** Graph input / output names of every exported model. */
export const INPUT_NAME = 'beats';
export const OUTPUT_NAME = 'probabilities';

export const METADATA_KEYS = Object.freeze({
  classes: 'ecg.classes',
  inputLength: 'ecg.input_length',
  channels: 'ecg.channels',
  output: 'ecg.output',
  testAccuracy: 'ecg.test_accuracy',
  sourceSha256: 'ecg.source_sha256',
  exportedAt: 'ecg.exported_at',
});

export interface ModelMetadata {
  classes: ClassInfo[];
  inputLength: number;
  channels: number;
  inputName: string;
  outputName: string;
  /** What the output holds, e.g. "class probabilities (softmax), shape [N, K]". */
  output: string;
  testAccuracy?: number;
  sourceSha256?: string;
  exportedAt?: string;
  /** Every metadata_props entry, including ones this version does not interpret. */
  raw: Record<string, string>;
}

export function encodeMetadata(m: Omit<ModelMetadata, 'raw' | 'inputName' | 'outputName'>): Record<string, string> {
  const out: Record<string, string> = {
    [METADATA_KEYS.classes]: JSON.stringify(m.classes),
    [METADATA_KEYS.inputLength]: String(m.inputLength),
    [METADATA_KEYS.channels]: String(m.channels),
    [METADATA_KEYS.output]: m.output,
  };
  if (m.testAccuracy !== undefined) out[METADATA_KEYS.testAccuracy] = String(m.testAccuracy);
  if (m.sourceSha256 !== undefined) out[METADATA_KEYS.sourceSha256] = m.sourceSha256;
  if (m.exportedAt !== undefined) out[METADATA_KEYS.exportedAt] = m.exportedAt;
  return out;
}

export function decodeMetadata(raw: Record<string, string>, source = 'model'): ModelMetadata {
  const need = (key: string): string => {
    const v = raw[key];
    if (v === undefined && raw['model.inputs'] !== undefined) {
      // Written by the exporter for a model outside the beat-classifier contract (its own signature).
      throw new ModelFormatError(`${source}: not an ECG beat classifier (it was exported with its own signature, inputs ${raw['model.inputs']}); run it with onnxruntime directly, or compare runtimes with "ecg parity --model ... --onnx ..."`);
    }
    if (v === undefined) throw new ModelFormatError(`${source}: metadata_props has no "${key}"; was this file written by "ecg export"?`);
    return v;
  };
  let classes: ClassInfo[];
  try {
    classes = JSON.parse(need(METADATA_KEYS.classes)) as ClassInfo[];
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${source}: metadata "${METADATA_KEYS.classes}" is not valid JSON`);
  }
  const int = (key: string) => {
    const n = Number(need(key));
    if (!Number.isInteger(n) || n < 1) throw new ModelFormatError(`${source}: metadata "${key}" must be a positive integer, got "${raw[key]}"`);
    return n;
  };
  const acc = raw[METADATA_KEYS.testAccuracy];
  return {
    classes,
    inputLength: int(METADATA_KEYS.inputLength),
    channels: int(METADATA_KEYS.channels),
    inputName: INPUT_NAME,
    outputName: OUTPUT_NAME,
    output: raw[METADATA_KEYS.output] ?? 'class probabilities',
    testAccuracy: acc === undefined ? undefined : Number(acc),
    sourceSha256: raw[METADATA_KEYS.sourceSha256],
    exportedAt: raw[METADATA_KEYS.exportedAt],
    raw,
  };
}

/**
 * The metadata of .onnx bytes, checked; every error names `source` (the file, URL or "model bytes"),
 * e.g. "broken.onnx: not an ONNX file: a protobuf field runs past the end; ...".
 */
export function readModelMetadata(bytes: Uint8Array, source: string): ModelMetadata {
  try {
    return decodeMetadata(readOnnxMetadataProps(bytes), source);
  } catch (e) {
    if (e instanceof ModelFormatError && !e.message.startsWith(`${source}:`)) {
      throw new ModelFormatError(`${source}: ${e.message}; pass the .onnx written by "ecg export"`);
    }
    throw e;
  }
}

/** Reads ModelProto.metadata_props (field 14: StringStringEntryProto{key=1, value=2}) from .onnx bytes. */
export function readOnnxMetadataProps(bytes: Uint8Array): Record<string, string> {
  const decoder = new TextDecoder();
  const out: Record<string, string> = {};
  const readVarint = (buf: Uint8Array, pos: { p: number }): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (pos.p >= buf.length) throw new ModelFormatError('not an ONNX file: truncated protobuf varint');
      const b = buf[pos.p++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
      if (shift > 2 ** 63) throw new ModelFormatError('not an ONNX file: bad protobuf varint');
    }
  };
  const fields = (buf: Uint8Array, visit: (field: number, value: Uint8Array) => void) => {
    const pos = { p: 0 };
    while (pos.p < buf.length) {
      const tag = readVarint(buf, pos);
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire === 0) readVarint(buf, pos);
      else if (wire === 1) pos.p += 8;
      else if (wire === 5) pos.p += 4;
      else if (wire === 2) {
        const len = readVarint(buf, pos);
        if (pos.p + len > buf.length) throw new ModelFormatError('not an ONNX file: a protobuf field runs past the end');
        visit(field, buf.subarray(pos.p, pos.p + len));
        pos.p += len;
      } else throw new ModelFormatError(`not an ONNX file: unknown protobuf wire type ${wire}`);
    }
  };
  fields(bytes, (field, value) => {
    if (field !== 14) return;
    let key = '';
    let val = '';
    fields(value, (f, v) => {
      if (f === 1) key = decoder.decode(v);
      else if (f === 2) val = decoder.decode(v);
    });
    out[key] = val;
  });
  return out;
}
