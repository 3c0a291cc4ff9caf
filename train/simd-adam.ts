// Adam as one WebAssembly SIMD loop (f32x4), assembled here from its instructions: 4 values per
// instruction instead of TF.js's 18 kernel calls per variable (450 per step for this model) or a scalar
// JavaScript loop. The arithmetic is tf.train.adam's (tfjs-core 4.22 AdamOptimizer.applyGradients), in
// the same order, in float32: WebAssembly's f32x4 add/mul/div/sqrt are IEEE-754 correctly rounded and
// never fused, so the result is bit-identical to TF.js's. The module imports the memory it works on
// (shared, so data-parallel threads update slices of one state) and sums the threads' gradient slots
// in thread order as it goes.

import { F32, F32X4, I32, V128, load, loadTop, moduleBytes, op, sleb, store, type WasmFunction } from './wasm-encoding.js';

/** Byte offsets (into the memory) and element range of one update. */
export interface AdamBuffers {
  params: number;
  /** First gradient slot; `slots` slots follow each other `slotStride` bytes apart. */
  gradients: number;
  slots: number;
  slotStride: number;
  m: number;
  v: number;
}

export type SimdAdamUpdate = (b: AdamBuffers, start: number, end: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, correction1: number, correction2: number, epsilon: number, step: number) => void;

// Parameters: 0 params, 1 gradients, 2 slots, 3 slotStride, 4 m, 5 v, 6 start, 7 end (elements),
// 8..15 the scalars (f32). Locals: 16 o (byte offset), 17 endBytes, 18 s (slot), 19 p (slot pointer),
// 20 g, 21 mi, 22 vi, 23..30 the splatted scalars (v128).
const [P, G, SLOTS, STRIDE, M, V, START, END] = [0, 1, 2, 3, 4, 5, 6, 7];
const [O, ENDB, S, PTR, GV, MI, VI] = [16, 17, 18, 19, 20, 21, 22];
const SPLAT = (k: number) => 23 + k; // beta1, 1-beta1, beta2, 1-beta2, correction1, correction2, epsilon, step

function adamFunction(): WasmFunction {
  const at = (base: number) => [op.get, base, op.get, O, op.i32add]; // base + o
  const code: number[] = [];
  for (let k = 0; k < 8; k++) code.push(op.get, 8 + k, ...F32X4.splat, op.set, SPLAT(k));
  code.push(op.get, START, op.i32const, 2, op.i32shl, op.set, O, op.get, END, op.i32const, 2, op.i32shl, op.set, ENDB);
  code.push(op.block, 0x40, op.loop, 0x40);
  code.push(op.get, O, op.get, ENDB, op.i32geu, op.brIf, 1); // o >= end: done
  // g = slot 0 + slot 1 + ... (in thread order)
  code.push(...at(G), op.tee, PTR, ...loadTop(), op.set, GV);
  code.push(op.i32const, 1, op.set, S);
  code.push(op.block, 0x40, op.loop, 0x40);
  code.push(op.get, S, op.get, SLOTS, op.i32geu, op.brIf, 1);
  code.push(op.get, PTR, op.get, STRIDE, op.i32add, op.tee, PTR, ...loadTop(), op.get, GV, ...F32X4.add, op.set, GV);
  code.push(op.get, S, op.i32const, 1, op.i32add, op.set, S, op.br, 0, op.end, op.end);
  // m = m*b1 + g*(1-b1)
  code.push(...at(M), ...at(M), op.set, PTR, ...load(PTR), op.get, SPLAT(0), ...F32X4.mul, op.get, GV, op.get, SPLAT(1), ...F32X4.mul, ...F32X4.add, op.tee, MI, ...store());
  // v = v*b2 + (g*g)*(1-b2)
  code.push(...at(V), ...at(V), op.set, PTR, ...load(PTR), op.get, SPLAT(2), ...F32X4.mul, op.get, GV, op.get, GV, ...F32X4.mul, op.get, SPLAT(3), ...F32X4.mul, ...F32X4.add, op.tee, VI, ...store());
  // p = ((m/c1) / (sqrt(v/c2) + eps)) * (-lr) + p
  code.push(...at(P), op.get, MI, op.get, SPLAT(4), ...F32X4.div, op.get, VI, op.get, SPLAT(5), ...F32X4.div, ...F32X4.sqrt, op.get, SPLAT(6), ...F32X4.add, ...F32X4.div);
  code.push(op.get, SPLAT(7), ...F32X4.mul, ...at(P), op.set, PTR, ...load(PTR), ...F32X4.add, ...store());
  code.push(op.get, O, op.i32const, ...sleb(16), op.i32add, op.set, O, op.br, 0, op.end, op.end);
  return { name: 'adam', params: [...Array<number>(8).fill(I32), ...Array<number>(8).fill(F32)], locals: [[4, I32], [11, V128]], code };
}

/** The module's bytes: (import "env" "memory" (memory shared)) (func (export "adam") ...). */
export function simdAdamModule(maxPages: number): Uint8Array<ArrayBuffer> {
  return moduleBytes([adamFunction()], { shared: true, maxPages });
}

/** The update function over `memory` (a shared WebAssembly.Memory of at most maxPages pages). */
export function instantiateSimdAdam(memory: WebAssembly.Memory, maxPages: number): SimdAdamUpdate {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(simdAdamModule(maxPages)), { env: { memory } });
  const adam = instance.exports.adam as (...args: number[]) => void;
  return (b, start, end, ...scalars) => adam(b.params, b.gradients, b.slots, b.slotStride, b.m, b.v, start, end, ...scalars);
}
