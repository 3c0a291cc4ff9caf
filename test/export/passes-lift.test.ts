// lift-conv-to-2d.ts and fold-transposes.ts on hand-built graphs: 1-D convs and pools run as 2-D ops
// with lifted attributes and weights, unit-axis transposes become reshapes, a transpose before
// Flatten -> Gemm folds into the weight rows; outputs unchanged, and the guarded cases left alone.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../export/graph.js';
import { foldTransposeIntoGemm, unitTransposesToReshapes } from '../../export/passes/fold-transposes.js';
import { liftConvsTo2d } from '../../export/passes/lift-conv-to-2d.js';
import { attr, batchNorm, conv1d, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

describe('liftConvsTo2d', () => {
  const chain = (tail: (g: Graph, c: string) => string) => () => {
    const { g, x } = graphWithInput(['N', 3, 12]);
    const c = conv1d(g, x, 4, 3, 1, { pads: [1, 2], strides: 2, dilations: 2 });
    markOutput(g, tail(g, c));
    return g;
  };

  it('lifts Conv (attributes, weights [O, I, 1, k]) and keeps activations and BN 4-D; one Squeeze at the end', async () => {
    const g = await expectPassKeepsOutputs(
      chain((g, c) => batchNorm(g, g.add('Relu', [c], g.shapeOf(c)), 2)),
      liftConvsTo2d,
      1,
    );
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'Relu', 'BatchNormalization', 'Squeeze']);
    const conv = g.nodes[1]!;
    expect(conv.attributes).toMatchObject({ kernel_shape: attr.ints([1, 3]), pads: attr.ints([0, 1, 0, 2]), strides: attr.ints([1, 2]), dilations: attr.ints([1, 2]) });
    expect(g.initializers.get(conv.inputs[1]!)!.dims).toEqual([4, 3, 1, 3]);
    expect(g.shapeOf(conv.outputs[0]!)).toEqual(['N', 4, 1, 6]);
    expect(g.nodes.at(-1)!.outputs).toEqual([g.outputs[0]!.name]);
    expect(g.nodes[0]!.inputs).toEqual(['x', g.nodes.at(-1)!.inputs[1]]); // one axes constant shared
  });

  // Each activation and same-shape binary the pass keeps 4-D: conv -> op (-> op(a, b) of two lifted values) -> one Squeeze.
  it.each(['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Identity'])('keeps %s 4-D', async (op) => {
    const g = await expectPassKeepsOutputs(chain((g, c) => g.add(op, [c], g.shapeOf(c))), liftConvsTo2d, 1);
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', op, 'Squeeze']);
  });

  it.each(['Add', 'Mul', 'Sub', 'Max', 'Min'])('keeps %s of two lifted values 4-D', async (op) => {
    const g = await expectPassKeepsOutputs(chain((g, c) => g.add(op, [c, g.add('Relu', [c], g.shapeOf(c))], g.shapeOf(c))), liftConvsTo2d, 1);
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'Relu', op, 'Squeeze']);
  });

  it('lifts MaxPool / AveragePool, same-shape binaries of lifted values, and a [C, 1] shift as BatchNormalization', async () => {
    const g = await expectPassKeepsOutputs(
      chain((g, c) => {
        const p = g.add('MaxPool', [c], ['N', 4, 6], { kernel_shape: attr.ints([3]), strides: attr.ints([1]), pads: attr.ints([1, 1]) });
        const q = g.add('AveragePool', [c], ['N', 4, 6], { kernel_shape: attr.ints([1]) });
        const s = g.add('Add', [p, q], ['N', 4, 6]);
        return g.add('Add', [s, g.floatConst('shift', [4, 1], values(4, 3))], ['N', 4, 6]);
      }),
      liftConvsTo2d,
      3,
    );
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'MaxPool', 'AveragePool', 'Add', 'BatchNormalization', 'Squeeze']);
    expect(g.nodes[5]!.attributes).toEqual({ epsilon: attr.float(0) });
  });

  it('a reader that stays 3-D gets a Squeeze right after the producer, made once', async () => {
    const g = await expectPassKeepsOutputs(
      chain((g, c) => {
        const r = g.add('Softmax', [c], g.shapeOf(c), { axis: attr.int(1) });
        const s = g.add('Softmax', [c], g.shapeOf(c), { axis: attr.int(2) });
        return g.add('Add', [r, s], g.shapeOf(c));
      }),
      liftConvsTo2d,
      1,
    );
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'Squeeze', 'Softmax', 'Softmax', 'Add']);
  });

  it('one Unsqueeze per 3-D input even when two convs read it', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 3, 8]);
      const a = conv1d(g, x, 2, 3, 1);
      const b = conv1d(g, x, 2, 3, 2);
      markOutput(g, g.add('Add', [a, b], ['N', 2, 6]));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, liftConvsTo2d, 2);
    expect(opTypes(g).filter((t) => t === 'Unsqueeze')).toHaveLength(1);
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'Conv', 'Add', 'Squeeze']);
  });

  it('leaves Add of a lifted and a 3-D value, of other shapes, and ops that are not elementwise in 3-D', async () => {
    const g = await expectPassKeepsOutputs(chain((g, c) => g.add('Add', [c, g.floatConst('full', [4, 6], values(24, 1))], ['N', 4, 6])), liftConvsTo2d, 1);
    expect(opTypes(g)).toEqual(['Unsqueeze', 'Conv', 'Squeeze', 'Add']);
  });

  it('leaves a conv with a dynamic channel count, shared weights, a 2-D kernel or a non-constant weight', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 'C', 8]);
      markOutput(g, g.add('Conv', [x, g.floatConst('W', [2, 3, 3], values(18, 1))], ['N', 2, 6], { kernel_shape: attr.ints([3]) }));
      return g;
    }, liftConvsTo2d);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 3, 8]);
      const w = g.floatConst('W', [2, 3, 3], values(18, 1));
      const a = g.add('Conv', [x, w], ['N', 2, 6], { kernel_shape: attr.ints([3]) });
      const b = g.add('Conv', [x, w], ['N', 2, 6], { kernel_shape: attr.ints([3]) });
      markOutput(g, g.add('Add', [a, b], ['N', 2, 6]));
      return g;
    }, liftConvsTo2d);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 3, 4, 4]);
      markOutput(g, g.add('MaxPool', [x], ['N', 3, 2, 2], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
      return g;
    }, liftConvsTo2d);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 3, 8]);
      markOutput(g, g.add('Conv', [x, g.addInput('w', [2, 3, 3])], ['N', 2, 6], { kernel_shape: attr.ints([3]) }));
      return g;
    }, liftConvsTo2d);
  });

  it('leaves a 1-D ConvTranspose and a MaxPool that also returns Indices', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 3, 8]);
      markOutput(g, g.add('ConvTranspose', [x, g.floatConst('W', [3, 2, 3], values(18, 1))], ['N', 2, 10], { kernel_shape: attr.ints([3]) }));
      return g;
    }, liftConvsTo2d);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 3, 8]);
      const [y] = g.addMulti('MaxPool', [x], [['N', 3, 4], ['N', 3, 4]], { kernel_shape: attr.ints([2]), strides: attr.ints([2]) }, 'pool');
      markOutput(g, y!);
      return g;
    }, liftConvsTo2d);
  });

  it('a training-mode BatchNormalization after a lifted conv stays 3-D with all its outputs', () => {
    const g = chain((g, c) => batchNorm(g, c, 2))();
    g.nodes[1]!.outputs.push('running_mean', 'running_var');
    expect(liftConvsTo2d(g)).toBe(1);
    const bn = g.nodes.find((n) => n.opType === 'BatchNormalization')!;
    expect(bn.outputs.slice(1)).toEqual(['running_mean', 'running_var']);
    expect(g.producer(bn.inputs[0]!)!.opType).toBe('Squeeze');
  });
});

describe('unitTransposesToReshapes', () => {
  const transposeGraph = (input: (number | string)[], perm: number[]) => () => {
    const { g, x } = graphWithInput(input);
    markOutput(g, g.add('Transpose', [x], perm.map((a) => input[a]!), { perm: attr.ints(perm) }));
    return g;
  };

  it('a rank-4 transpose that only moves unit axes becomes a Reshape (dynamic batch copied with 0)', async () => {
    const g = await expectPassKeepsOutputs(transposeGraph(['N', 1, 1, 5], [0, 3, 1, 2]), unitTransposesToReshapes, 1);
    expect(opTypes(g)).toEqual(['Reshape']);
    expect(Array.from(g.initializers.get(g.nodes[0]!.inputs[1]!)!.data as BigInt64Array)).toEqual([0n, 5n, 1n, 1n]);
    expect(g.nodes[0]!.attributes).toEqual({});
    await expectPassKeepsOutputs(transposeGraph([2, 5, 1, 3], [0, 2, 1, 3]), unitTransposesToReshapes, 1);
  });

  it('leaves transposes that reorder data, of rank 3, or that move a dynamic dim', () => {
    expectPassRefuses(transposeGraph(['N', 2, 1, 5], [0, 3, 1, 2]), unitTransposesToReshapes);
    expectPassRefuses(transposeGraph(['N', 1, 5], [0, 2, 1]), unitTransposesToReshapes);
    expectPassRefuses(transposeGraph(['N', 1, 1, 5], [1, 0, 2, 3]), unitTransposesToReshapes);
    expectPassRefuses(transposeGraph([1, 'T', 1, 5], [0, 2, 1, 3]), unitTransposesToReshapes);
  });
});

describe('foldTransposeIntoGemm', () => {
  const head = (opts: { perm?: number[]; axis?: number; transB?: boolean; rows?: number; input?: (number | string)[]; shared?: boolean } = {}) => () => {
    const input = opts.input ?? ['N', 2, 3, 4];
    const perm = opts.perm ?? [0, 2, 3, 1];
    const { g, x } = graphWithInput(input);
    const t = g.add('Transpose', [x], perm.map((a) => input[a]!), { perm: attr.ints(perm) });
    const f = g.add('Flatten', [t], ['N', 24], opts.axis === undefined ? {} : { axis: attr.int(opts.axis) });
    const rows = opts.rows ?? 24;
    const b = opts.transB ? g.floatConst('B', [3, rows], values(3 * rows, 2)) : g.floatConst('B', [rows, 3], values(rows * 3, 2));
    markOutput(g, g.add('Gemm', [f, b, g.floatConst('C', [3], values(3, 3))], ['N', 3], opts.transB ? { transB: attr.int(1) } : {}));
    if (opts.shared) markOutput(g, t);
    return g;
  };

  it('permutes the Gemm weight rows and drops the Transpose (explicit axis 1 too)', async () => {
    const g = await expectPassKeepsOutputs(head(), foldTransposeIntoGemm, 1);
    expect(opTypes(g)).toEqual(['Flatten', 'Gemm']);
    expect(g.nodes[0]!.inputs).toEqual(['x']);
    expect(g.nodes[1]!.inputs[2]).toBe('C');
    await expectPassKeepsOutputs(head({ axis: 1, perm: [0, 3, 1, 2] }), foldTransposeIntoGemm, 1);
    await expectPassKeepsOutputs(head({ perm: [0, 1, 3, 2] }), foldTransposeIntoGemm, 1);
  });

  it('leaves Flatten on another axis, a transposed B, a batch-moving perm, a dynamic inner dim, a shared transpose', () => {
    expectPassRefuses(head({ axis: 2 }), foldTransposeIntoGemm);
    expectPassRefuses(head({ transB: true }), foldTransposeIntoGemm);
    expectPassRefuses(head({ perm: [1, 0, 2, 3], input: [2, 'N', 3, 4] }), foldTransposeIntoGemm);
    expectPassRefuses(head({ input: ['N', 2, 'H', 4] }), foldTransposeIntoGemm);
    expectPassRefuses(head({ shared: true }), foldTransposeIntoGemm);
    expectPassRefuses(head({ rows: 12 }), foldTransposeIntoGemm);
    expectPassRefuses(() => {
      const g = head()();
      g.nodes[2]!.inputs[1] = g.addInput('b', [24, 3]);
      return g;
    }, foldTransposeIntoGemm);
    expectPassRefuses(() => {
      const g = head()();
      g.nodes[2]!.attributes.transA = attr.int(1);
      return g;
    }, foldTransposeIntoGemm);
    expectPassRefuses(() => {
      // The flattened transpose is the Gemm's C (bias, [N, 24] broadcast), not its A.
      const g = head()();
      const gemm = g.nodes[2]!;
      gemm.inputs = [g.addInput('a', ['N', 24]), g.floatConst('B24', [24, 24], values(576, 4)), gemm.inputs[0]!];
      g.shapes.set(gemm.outputs[0]!, ['N', 24]);
      g.outputs[0]!.shape = ['N', 24];
      return g;
    }, foldTransposeIntoGemm);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 4, 6]);
      const t = g.add('Transpose', [x], ['N', 6, 4], { perm: attr.ints([0, 2, 1]) });
      const f = g.add('Flatten', [t], ['N', 24]);
      markOutput(g, g.add('Gemm', [f, g.floatConst('B', [24, 3], values(72, 2))], ['N', 3]));
      return g;
    }, foldTransposeIntoGemm);
  });
});
