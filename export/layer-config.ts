// Reads a layer's Keras config with errors that name the layer, its class, the option and what is
// supported, so an option we cannot honour is never silently dropped.
import { UnsupportedLayerError } from '@ecg-onnx/core';
import type { LayerCall } from './topology.js';

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export class LayerConfig {
  constructor(readonly call: LayerCall) {}

  get where(): string {
    return `layer "${this.call.name}" (${this.call.className})`;
  }

  /** Raw value; TF.js writes snake_case, hand-written configs may use camelCase. */
  raw(key: string): unknown {
    const c = this.call.config;
    return key in c ? c[key] : c[camel(key)];
  }

  fail(option: string, value: unknown, supported: string): never {
    throw new UnsupportedLayerError(`${this.where}: ${option} ${JSON.stringify(value)} is not supported; supported: ${supported}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(key) ?? fallback;
    if (!allowed.includes(v as T)) this.fail(key, v, allowed.join(', '));
    return v as T;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, v, 'true or false');
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, v, 'a finite number');
    return v;
  }

  positiveInt(key: string, fallback?: number): number {
    const v = this.number(key, fallback);
    if (!Number.isInteger(v) || v < 1) this.fail(key, v, 'a positive integer');
    return v;
  }

  /** A 1-D size written as n or [n] (Keras stores kernel_size, strides, pool_size as tuples). */
  size1d(key: string, fallback?: number): number {
    let v = this.raw(key);
    if (Array.isArray(v)) {
      if (v.length !== 1) this.fail(key, v, 'one value (1-D layers)');
      v = v[0];
    }
    if (v === undefined || v === null) v = fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) this.fail(key, v, 'a positive integer');
    return v;
  }

  /** An n-D size written as k (every axis) or [k1, .., kn] (kernel_size, strides, pool_size, size). */
  sizes(key: string, n: number, fallback?: number[], min = 1): number[] {
    let v = this.raw(key);
    if (v === undefined || v === null) v = fallback;
    if (typeof v === 'number') v = Array<number>(n).fill(v);
    if (!Array.isArray(v) || v.length !== n || v.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < min)) {
      this.fail(key, v, `${n === 1 ? 'an integer' : `${n} integers`} >= ${min}`);
    }
    return v as number[];
  }

  /** Per-axis [begin, end] amounts (ZeroPadding / Cropping): k, [b, e] (1-D), [k1, k2] or [[b1, e1], [b2, e2]]. */
  pairs(key: string, n: number): [number, number][] {
    const v = this.raw(key);
    const ok = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0;
    if (ok(v)) return Array.from({ length: n }, () => [v, v]);
    if (Array.isArray(v)) {
      if (n === 1 && v.length === 2 && v.every(ok)) return [[v[0] as number, v[1] as number]];
      if (v.length === n && v.every(ok)) return v.map((d: number) => [d, d]);
      if (v.length === n && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(ok))) return v as [number, number][];
    }
    return this.fail(key, v, n === 1 ? 'k or [begin, end] (non-negative integers)' : `k, [k1, .., k${n}] or [[begin, end] x ${n}] (non-negative integers)`);
  }

  /** Fails unless the option is absent or equals one of the values that mean "off". */
  requireDefault(key: string, ...defaults: unknown[]): void {
    const v = this.raw(key);
    if (v === undefined || v === null || defaults.some((d) => JSON.stringify(d) === JSON.stringify(v))) return;
    this.fail(key, v, defaults.map((d) => JSON.stringify(d)).join(' or '));
  }
}
