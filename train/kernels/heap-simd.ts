// Two SIMD loops over the WASM backend's own heap, assembled here (wasm-encoding.ts) and instantiated
// on the memory the backend's module exports: column sums of a row-major matrix with float64
// accumulators (reduce-leading.ts) and an in-place f32 add (col2im). Each does the very operations of
// the JavaScript loop it replaces, in the same order (float64 promote/add/multiply, one rounding to
// float32), so results are bit-identical; 2 or 4 values per instruction and no bounds checks.
import { F32X4, F64X2, I32, F64, V128, load, moduleBytes, op, simd, sleb, store, type WasmFunction } from '../wasm-encoding.js';

export interface HeapSimd {
  /** dst[c] = f32(scale * sum over rows r of src[r*width + c]) for c < width; width a multiple of 4; byte addresses. */
  columnSums(src: number, rows: number, width: number, dst: number, scale: number): void;
  /** dst[i] += src[i] for i < count; count a multiple of 4; byte addresses. */
  addInto(dst: number, src: number, count: number): void;
}

const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const HIGH_HALF = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]; // lanes 2,3 -> 0,1
const JOIN_LOW_HALVES = [...simd(0x0d), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

function columnSumsFunction(): WasmFunction {
  // Params: 0 src, 1 rows, 2 width, 3 dst, 4 scale. Locals: 5 rowBytes, 6 c, 7 p, 8 r, 9 acc0, 10 acc1, 11-14 x0-x3, 15 scale x2.
  const [SRC, ROWS, WIDTH, DST, SCALE, ROW, C, P, R, ACC0, ACC1, X, SC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15];
  const low = (x: number) => [op.get, x, ...F64X2.promoteLowF32x4];
  const high = (x: number) => [op.get, x, op.get, x, ...HIGH_HALF, ...F64X2.promoteLowF32x4];
  const next = (x: number) => [...load(P), op.set, x, op.get, P, op.get, ROW, op.i32add, op.set, P]; // x = row at p; p += one row
  const four = (acc: number, half: (x: number) => number[]) =>
    [op.get, acc, ...half(X), ...half(X + 1), ...F64X2.add, ...half(X + 2), ...half(X + 3), ...F64X2.add, ...F64X2.add, ...F64X2.add, op.set, acc];
  const one = (acc: number, half: (x: number) => number[]) => [op.get, acc, ...half(X), ...F64X2.add, op.set, acc];
  const scaled = (acc: number) => [op.get, acc, op.get, SC, ...F64X2.mul, ...F32X4.demoteF64x2Zero];
  const code = [
    op.get, WIDTH, op.i32const, 2, op.i32shl, op.set, ROW,
    op.get, SCALE, ...F64X2.splat, op.set, SC,
    op.block, 0x40, op.loop, 0x40,
    op.get, C, op.get, ROW, op.i32geu, op.brIf, 1,
    ...V128_ZERO, op.set, ACC0, ...V128_ZERO, op.set, ACC1,
    op.get, SRC, op.get, C, op.i32add, op.set, P,
    op.get, ROWS, op.set, R,
    // Four rows at a time: acc += ((x0 + x1) + (x2 + x3)), as the JavaScript loop adds them.
    op.block, 0x40, op.loop, 0x40,
    op.get, R, op.i32const, 4, op.i32ltu, op.brIf, 1,
    ...next(X), ...next(X + 1), ...next(X + 2), ...next(X + 3),
    ...four(ACC0, low), ...four(ACC1, high),
    op.get, R, op.i32const, 4, op.i32sub, op.set, R, op.br, 0,
    op.end, op.end,
    op.block, 0x40, op.loop, 0x40,
    op.get, R, op.i32eqz, op.brIf, 1,
    ...next(X), ...one(ACC0, low), ...one(ACC1, high),
    op.get, R, op.i32const, 1, op.i32sub, op.set, R, op.br, 0,
    op.end, op.end,
    op.get, DST, op.get, C, op.i32add, ...scaled(ACC0), ...scaled(ACC1), ...JOIN_LOW_HALVES, ...store(),
    op.get, C, op.i32const, ...sleb(16), op.i32add, op.set, C, op.br, 0,
    op.end, op.end,
  ];
  return { name: 'columnSums', params: [I32, I32, I32, I32, F64], locals: [[4, I32], [7, V128]], code };
}

function addIntoFunction(): WasmFunction {
  const [DST, SRC, COUNT, END] = [0, 1, 2, 3];
  const code = [
    op.get, DST, op.get, COUNT, op.i32const, 2, op.i32shl, op.i32add, op.set, END,
    op.block, 0x40, op.loop, 0x40,
    op.get, DST, op.get, END, op.i32geu, op.brIf, 1,
    op.get, DST, ...load(DST), ...load(SRC), ...F32X4.add, ...store(),
    op.get, DST, op.i32const, ...sleb(16), op.i32add, op.set, DST,
    op.get, SRC, op.i32const, ...sleb(16), op.i32add, op.set, SRC, op.br, 0,
    op.end, op.end,
  ];
  return { name: 'addInto', params: [I32, I32, I32], locals: [[1, I32]], code };
}

let module: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, HeapSimd>();

/** The loops over this backend's heap, or undefined where its memory is not reachable (then callers use JavaScript). */
export function heapSimd(backend: unknown): HeapSimd | undefined {
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let simdLoops = instances.get(memory);
  if (!simdLoops) {
    module ??= new WebAssembly.Module(moduleBytes([columnSumsFunction(), addIntoFunction()], { shared: false }));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as HeapSimd;
    simdLoops = { columnSums: exports.columnSums, addInto: exports.addInto };
    instances.set(memory, simdLoops);
  }
  return simdLoops;
}
