// The few pieces of the WebAssembly binary format our hand-assembled SIMD loops need (simd-adam.ts,
// kernels/heap-simd.ts): LEB128 numbers, vectors, sections, the opcodes they use, and a module of
// exported functions over one imported memory.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Core opcodes. */
export const op = Object.freeze({
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, get: 0x20, set: 0x21, tee: 0x22,
  i32const: 0x41, i32eqz: 0x45, i32ltu: 0x49, i32geu: 0x4f, i32add: 0x6a, i32sub: 0x6b, i32shl: 0x74,
});

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** A 0xFD-prefixed SIMD opcode. */
export const simd = (code: number): number[] => [0xfd, ...uleb(code)];
/** v128.load of the address on the stack (alignment hint 4 bytes: f32 data is only that aligned). */
export const loadTop = (): number[] => [...simd(0x00), 2, 0];
/** v128.load of the address in local `reg`. */
export const load = (reg: number): number[] => [op.get, reg, ...loadTop()];
/** v128.store (address and value on the stack). */
export const store = (): number[] => [...simd(0x0b), 2, 0];

export const F32X4 = Object.freeze({ splat: simd(0x13), sqrt: simd(0xe3), add: simd(0xe4), mul: simd(0xe6), div: simd(0xe7), demoteF64x2Zero: simd(0x5e) });
export const F64X2 = Object.freeze({ splat: simd(0x14), add: simd(0xf0), mul: simd(0xf2), promoteLowF32x4: simd(0x5f) });

const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export interface WasmFunction {
  name: string;
  params: number[];
  /** Local declarations as [count, type] runs, after the parameters. */
  locals: Array<[number, number]>;
  code: number[];
}

/** A module importing "env" "memory" (shared with `maxPages` when given) and exporting `functions`. */
export function moduleBytes(functions: WasmFunction[], memory: { shared: true; maxPages: number } | { shared: false }): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]);
  const limits = memory.shared ? [0x03, ...uleb(1), ...uleb(memory.maxPages)] : [0x00, ...uleb(1)]; // min (max, shared)
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
