// Optimisation stage: graph-to-graph passes run after conversion, each exact up to float rounding.
// Order matters: BatchNormalization is folded first so a lowered conv carries its final weights;
// a BN behind Conv -> ReLU has its positive scale folded into the conv and its shift moved past the
// pool (and into a dense-lowered conv's bias); convs are lowered next; the transposes the lowering
// leaves are then sunk until they cancel; finally a BatchNormalization stuck behind a ReLU (now a
// channels-last Mul + Add) is split into a folded scale and a deferred shift; last, the convs left
// as Conv are lifted to 2-D so onnxruntime's blocked-layout CPU kernels take them; then a transpose
// before a Flatten -> Gemm is folded into the Gemm's weights and transposes of unit axes become reshapes.
import type { Graph } from '../graph.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { foldPositiveScaleIntoConv } from './fold-scale-into-conv.js';
import { foldPositiveScaleIntoGemm, moveShiftPastMaxPool } from './fold-scale-shift.js';
import { foldTransposeIntoGemm, unitTransposesToReshapes } from './fold-transposes.js';
import { mergeReshapes, removeDeadNodes } from './graph-edit.js';
import { liftConvsTo2d } from './lift-conv-to-2d.js';
import { DEFAULT_MAX_LOWERED_CONV_LENGTH, lowerSmallConvs } from './lower-small-conv.js';
import { sinkTransposes } from './sink-transposes.js';

export interface OptimizeOptions {
  /** Lower a Conv to im2col + MatMul when its output length is at most this (0 = never). */
  maxLoweredConvLength?: number;
  /** Run the 1-D convs left as Conv as 2-D ops over (N, C, 1, T) (default true): see lift-conv-to-2d.ts. */
  liftConvs?: boolean;
}

export interface PassReport {
  name: string;
  /** How many rewrites the pass made (folds, lowered convs, transposes moved, nodes removed). */
  changes: number;
}

export function optimizeGraph(graph: Graph, options: OptimizeOptions = {}): PassReport[] {
  const maxLength = options.maxLoweredConvLength ?? DEFAULT_MAX_LOWERED_CONV_LENGTH;
  return [
    { name: 'foldBatchNorm', changes: foldBatchNorm(graph) },
    { name: 'foldPositiveScaleIntoConv', changes: foldPositiveScaleIntoConv(graph) },
    { name: 'lowerSmallConvs', changes: lowerSmallConvs(graph, maxLength) },
    { name: 'sinkTransposes', changes: sinkTransposes(graph) },
    { name: 'foldPositiveScaleIntoGemm', changes: foldPositiveScaleIntoGemm(graph) },
    { name: 'moveShiftPastMaxPool', changes: moveShiftPastMaxPool(graph) },
    { name: 'mergeReshapes', changes: mergeReshapes(graph) },
    { name: 'liftConvsTo2d', changes: options.liftConvs === false ? 0 : liftConvsTo2d(graph) },
    { name: 'foldTransposeIntoGemm', changes: foldTransposeIntoGemm(graph) },
    { name: 'unitTransposesToReshapes', changes: unitTransposesToReshapes(graph) },
    { name: 'removeDeadNodes', changes: removeDeadNodes(graph) },
  ];
}
