// The SIMD loops on the WASM backend's heap (train/kernels/heap-simd.ts) give the bits of the
// JavaScript loops they replace: column sums with float64 partial sums (Sum/Mean over leading axes)
// and the in-place add of col2im, over row counts that do and do not fill the four-row unroll.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/backend.js';
import { heapSimd, type HeapSimd } from '../../train/kernels/heap-simd.js';
import { col2im, type ConvGeometry } from '../../train/kernels/im2col.js';
import { columnSums } from '../../train/kernels/reduce-leading.js';
import type { WasmBackendLike } from '../../train/kernels/wasm-heap.js';

let simd: HeapSimd;
let backend: WasmBackendLike;

beforeAll(async () => {
  await initBackend('wasm');
  backend = tf.backend() as WasmBackendLike;
  simd = heapSimd(backend)!;
});

/** Values spread over many magnitudes and signs, so a change of summation order changes bits. */
const spread = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * 10 ** ((i * 37 + seed) % 17 - 8));
const sameBits = (a: Float32Array, b: Float32Array) => expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);

describe('heap SIMD loops', () => {
  it("reach the backend's memory (and nothing else: a cpu backend has none)", () => {
    expect(simd).toBeDefined();
    expect(heapSimd(tf.findBackend('cpu'))).toBeUndefined();
  });

  for (const [rows, width] of [[1, 4], [3, 8], [4, 4], [7, 128], [752, 128], [33, 512], [0, 8]] as const) {
    it(`column sums of [${rows}, ${width}] equal the JavaScript loop bit for bit (sum and mean)`, () => {
      for (const scale of [1, 1 / Math.max(rows, 1)]) {
        const x = tf.tensor2d(spread(rows * width, rows + width), [rows, width]);
        const out = backend.makeOutput([width], 'float32');
        const xs = backend.typedArrayFromHeap(x);
        const expected = new Float32Array(width);
        columnSums(xs, rows, width, expected, scale);
        simd.columnSums(xs.byteOffset, rows, width, backend.typedArrayFromHeap(out).byteOffset, scale);
        sameBits(backend.typedArrayFromHeap(out), expected);
        if (rows > 0) expect(expected.some((v) => v !== 0)).toBe(true);
        backend.disposeData(out.dataId);
        x.dispose();
      }
    });
  }

  it('addInto adds in place exactly where asked: the first `count` values, nothing around them', () => {
    const n = 4 * 37;
    const dst = tf.tensor1d(spread(n + 8, 1));
    const src = tf.tensor1d(spread(n + 8, 2));
    const d = backend.typedArrayFromHeap(dst);
    const s = backend.typedArrayFromHeap(src);
    const expected = d.slice();
    for (let i = 4; i < 4 + n; i++) expected[i] = Math.fround(expected[i]! + s[i - 4 + 8]!);
    simd.addInto(d.byteOffset + 16, s.byteOffset + 32, n);
    sameBits(backend.typedArrayFromHeap(dst), expected);
    dst.dispose();
    src.dispose();
  });

  it('Sum and Mean over leading axes on wasm: the SIMD path gives the JavaScript path\'s bits', () => {
    const x = tf.tensor3d(spread(16 * 47 * 128, 3), [16, 47, 128]);
    for (const op of [tf.sum, tf.mean] as const) {
      const viaKernel = op(x, [0, 1]).dataSync() as Float32Array;
      const expected = new Float32Array(128);
      columnSums(x.dataSync() as Float32Array, 16 * 47, 128, expected, op === tf.mean ? 1 / (16 * 47) : 1);
      sameBits(viaKernel, expected);
    }
    x.dispose();
  });

  for (const inChannels of [128, 6]) {
    it(`col2im with the SIMD add gives the JavaScript col2im's bits (${inChannels} channels: ${inChannels % 4 ? 'with' : 'no'} scalar tail)`, () => {
      const g: ConvGeometry = { batchSize: 3, inHeight: 1, inWidth: 16, inChannels, outHeight: 1, outWidth: 8, filterHeight: 1, filterWidth: 5, strideHeight: 1, strideWidth: 2, padTop: 0, padLeft: 2 };
      const cols = tf.tensor1d(spread(3 * 8 * 5 * inChannels, 4));
      const dx = backend.makeOutput([3 * 16 * inChannels], 'float32');
      const expected = new Float32Array(3 * 16 * inChannels);
      col2im(backend.typedArrayFromHeap(cols), expected, g);
      col2im(backend.typedArrayFromHeap(cols), backend.typedArrayFromHeap(dx), g, simd);
      sameBits(backend.typedArrayFromHeap(dx), expected);
      expect(expected.every((v) => v !== 0)).toBe(true); // overlapping windows: every input got a sum
      backend.disposeData(dx.dataId);
      cols.dispose();
    });
  }
});
