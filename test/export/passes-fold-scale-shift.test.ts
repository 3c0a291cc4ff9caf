// fold-scale-shift.ts on hand-built graphs: a positive scale after Gemm -> Relu moves into the Gemm's
// columns and bias, and a per-channel shift moves past a max-pool; outputs unchanged, the rest refused.
import { describe, expect, it } from 'vitest';
import { foldPositiveScaleIntoGemm, moveShiftPastMaxPool } from '../../export/passes/fold-scale-shift.js';
import { attr, expectPassKeepsOutputs, expectPassRefuses, gemm, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

describe('foldPositiveScaleIntoGemm', () => {
  const gemmReluMul = (opts: { reshape?: boolean; scaleLo?: number; attributes?: Record<string, ReturnType<typeof attr.int>>; bias?: boolean; scaleDims?: number[]; swap?: boolean } = {}) => () => {
    const { g, x } = graphWithInput(['N', 6]);
    const y = gemm(g, x, 4, 7, { attributes: opts.attributes, bias: opts.bias });
    let cur = g.add('Relu', [y], ['N', 4]);
    if (opts.reshape) cur = g.add('Reshape', [cur, g.int64Const('shape', [-1, 2, 4])], ['N', 2, 4]);
    const s = g.floatConst('s', opts.scaleDims ?? [4], values(4, 8, opts.scaleLo ?? 0.1, 2));
    const m = g.add('Mul', opts.swap ? [s, cur] : [cur, s], g.shapeOf(cur));
    markOutput(g, m);
    return g;
  };

  it('moves a positive channels-last scale into the Gemm columns and bias', async () => {
    const g = await expectPassKeepsOutputs(gemmReluMul(), foldPositiveScaleIntoGemm, 1);
    expect(opTypes(g)).toEqual(['Gemm', 'Relu']);
    expect(g.outputs[0]!.name).toBe(g.nodes[1]!.outputs[0]);
    await expectPassKeepsOutputs(gemmReluMul({ bias: false }), foldPositiveScaleIntoGemm, 1);
  });

  it('looks through one Reshape between Relu and Mul', async () => {
    const g = await expectPassKeepsOutputs(gemmReluMul({ reshape: true }), foldPositiveScaleIntoGemm, 1);
    expect(opTypes(g)).toEqual(['Gemm', 'Relu', 'Reshape']);
  });

  it('refuses a scale that is not all positive, not [M], or a Gemm with attributes', () => {
    expectPassRefuses(gemmReluMul({ scaleLo: -1 }), foldPositiveScaleIntoGemm);
    expectPassRefuses(gemmReluMul({ scaleDims: [1, 4] }), foldPositiveScaleIntoGemm);
    expectPassRefuses(gemmReluMul({ attributes: { alpha: attr.float(1) } }), foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      const s = g.nodes[2]!.inputs[1]!;
      g.initializers.set(s, { name: s, dims: [2], data: Float32Array.of(1, 2) });
      return g;
    }, foldPositiveScaleIntoGemm);
  });

  it('refuses Mul(scale, x), a Relu or Gemm output read twice, and a non-Relu activation', () => {
    expectPassRefuses(gemmReluMul({ swap: true }), foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      markOutput(g, g.nodes[1]!.outputs[0]!);
      return g;
    }, foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      markOutput(g, g.nodes[0]!.outputs[0]!);
      return g;
    }, foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      g.nodes[1]!.opType = 'Tanh';
      return g;
    }, foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      g.nodes[0]!.inputs[1] = g.addInput('w', [6, 4]);
      return g;
    }, foldPositiveScaleIntoGemm);
    expectPassRefuses(() => {
      const g = gemmReluMul()();
      g.nodes[2]!.opType = 'Add';
      return g;
    }, foldPositiveScaleIntoGemm);
  });
});

describe('foldPositiveScaleIntoGemm: not a Gemm', () => {
  it('refuses an Add with a constant [1, M] (relu(x + c) * s is not relu(x + c * s))', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 4]);
      const r = g.add('Relu', [g.add('Add', [x, g.floatConst('c', [1, 4], values(4, 2))], ['N', 4])], ['N', 4]);
      markOutput(g, g.add('Mul', [r, g.floatConst('s', [4], values(4, 8, 0.1, 2))], ['N', 4]));
      return g;
    }, foldPositiveScaleIntoGemm);
  });
});

describe('moveShiftPastMaxPool', () => {
  // Channels-last [N, 6, 3] + t[3] -> windows of 2 (Reshape or Gather) -> ReduceMax over the window axis.
  const addPool = (opts: { via?: 'Reshape' | 'Gather'; reduce?: string; tDims?: number[]; channels?: number; sharedAdd?: boolean } = {}) => () => {
    const { g, x } = graphWithInput(['N', 6, 3]);
    const c = opts.channels ?? 3;
    const t = g.floatConst('t', opts.tDims ?? [c], values(c, 3));
    const a = g.add('Add', [x, t], ['N', 6, 3]);
    const w =
      (opts.via ?? 'Reshape') === 'Reshape'
        ? g.add('Reshape', [a, g.int64Const('shape', [0, 3, 2, 3])], ['N', 3, 2, 3])
        : g.add('Gather', [a, g.addInitializer('idx', [3, 2], BigInt64Array.of(0n, 1n, 2n, 3n, 4n, 5n))], ['N', 3, 2, 3], { axis: attr.int(1) });
    const r = g.add(opts.reduce ?? 'ReduceMax', [w], ['N', 3, 3], { axes: attr.ints([2]), keepdims: attr.int(0) });
    markOutput(g, r);
    if (opts.sharedAdd) markOutput(g, a);
    return g;
  };

  it('adds the shift to the pooled output instead, through Reshape or Gather windows', async () => {
    for (const via of ['Reshape', 'Gather'] as const) {
      const g = await expectPassKeepsOutputs(addPool({ via }), moveShiftPastMaxPool, 1);
      expect(opTypes(g)).toEqual([via, 'ReduceMax', 'Add']);
      expect(g.nodes[0]!.inputs[0]).toBe('x');
      expect(g.nodes[2]!.outputs).toEqual([g.outputs[0]!.name]);
      expect(g.shapeOf(g.nodes[1]!.outputs[0]!)).toEqual(['N', 3, 3]);
    }
  });

  it('refuses a mean pool, a [C, 1] shift, a shift of another width and an Add read twice', () => {
    expectPassRefuses(addPool({ reduce: 'ReduceMean' }), moveShiftPastMaxPool);
    expectPassRefuses(addPool({ tDims: [3, 1] }), moveShiftPastMaxPool);
    expectPassRefuses(() => {
      const g = addPool()();
      const t = g.nodes[0]!.inputs[1]!;
      g.initializers.set(t, { name: t, dims: [1], data: Float32Array.of(2) });
      return g;
    }, moveShiftPastMaxPool);
    expectPassRefuses(addPool({ sharedAdd: true }), moveShiftPastMaxPool);
    expectPassRefuses(() => {
      const g = addPool()();
      g.nodes[1]!.opType = 'Relu';
      return g;
    }, moveShiftPastMaxPool);
    expectPassRefuses(() => {
      const g = addPool()();
      g.nodes[0]!.inputs[1] = g.addInput('tt', [3]);
      return g;
    }, moveShiftPastMaxPool);
  });

  it('refuses a Mul (a negative factor does not commute with max) in place of the Add', () => {
    expectPassRefuses(() => {
      const g = addPool()();
      const t = g.nodes[0]!.inputs[1]!;
      g.initializers.set(t, { name: t, dims: [3], data: Float32Array.of(-1, 2, -0.5) });
      g.nodes[0]!.opType = 'Mul';
      return g;
    }, moveShiftPastMaxPool);
  });

  it('refuses windows whose last axis is not the channel axis', () => {
    expectPassRefuses(() => {
      const g = addPool()();
      g.shapes.set(g.nodes[1]!.outputs[0]!, ['N', 3, 3, 2]);
      return g;
    }, moveShiftPastMaxPool);
    expectPassRefuses(() => {
      const g = addPool()();
      g.shapes.set(g.nodes[2]!.outputs[0]!, ['N', 3, 2]);
      return g;
    }, moveShiftPastMaxPool);
  });
});
