// lower-small-conv.ts on hand-built graphs: the im2col and dense (Toeplitz) lowerings keep every output,
// the cost model picks between them at its documented boundaries, and convs it must not touch stay Conv.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../export/graph.js';
import { chooseConvLowering, DENSE_COST_RATIO, DEFAULT_MAX_LOWERED_CONV_LENGTH, lowerSmallConvs, shouldLowerConv } from '../../export/passes/lower-small-conv.js';
import { attr, batchNorm, conv1d, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes } from './pass-graphs.js';

type ConvOpts = Parameters<typeof conv1d>[5];
const lower = (max = 64) => (g: Graph) => lowerSmallConvs(g, max);

function convGraph(cin: number, length: number, cout: number, k: number, opts: ConvOpts = {}, seed = 1): () => Graph {
  return () => {
    const { g, x } = graphWithInput(['N', cin, length]);
    markOutput(g, conv1d(g, x, cout, k, seed, opts));
    return g;
  };
}

describe('chooseConvLowering / shouldLowerConv', () => {
  it('dense when its multiply-adds are at most 2.5 x im2col (input length <= 2.5 k), else im2col', () => {
    expect(DENSE_COST_RATIO).toBe(2.5);
    expect(chooseConvLowering(5, 4, 2, 3, 4)).toBe('dense'); // 5 = 2.5 * 2: the boundary is dense
    expect(chooseConvLowering(6, 4, 2, 3, 4)).toBe('im2col');
    expect(chooseConvLowering(2, 2, 5, 128, 512)).toBe('dense'); // the paper's layer 14
  });

  it('dense only while the dense weight has at most 4 Mi floats', () => {
    expect(chooseConvLowering(4, 1024, 2, 1024, 1)).toBe('dense'); // 4 * 1024 * 1024 * 1 = 4 Mi
    expect(chooseConvLowering(4, 1025, 2, 1024, 1)).toBe('im2col');
  });

  it('lowers output lengths up to maxLength, either lowering', () => {
    expect(DEFAULT_MAX_LOWERED_CONV_LENGTH).toBe(8);
    expect(shouldLowerConv(8, 8)).toBe(true);
    expect(shouldLowerConv(9, 8)).toBe(false);
    expect(shouldLowerConv(1, 0)).toBe(false);
  });
});

describe('lowerSmallConvs: im2col', () => {
  it('a strided, dilated, padded conv becomes Transpose -> Pad -> Gather -> Reshape -> Gemm -> Reshape -> Transpose', async () => {
    const g = await expectPassKeepsOutputs(convGraph(3, 16, 4, 3, { pads: [2, 1], strides: 2, dilations: 2 }), lower(), 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Pad', 'Gather', 'Reshape', 'Gemm', 'Reshape', 'Transpose']);
    expect(g.nodes.at(-1)!.outputs).toEqual([g.outputs[0]!.name]);
    expect(g.nodes[0]!.attributes.perm).toEqual(attr.ints([0, 2, 1]));
  });

  it('without padding there is no Pad; without a bias the Gemm has two inputs', async () => {
    const g = await expectPassKeepsOutputs(convGraph(2, 12, 3, 3, { bias: false }), lower(), 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Gather', 'Reshape', 'Gemm', 'Reshape', 'Transpose']);
    expect(g.nodes[3]!.inputs).toHaveLength(2);
  });

  it('padding on one side only still pads', async () => {
    const g = await expectPassKeepsOutputs(convGraph(2, 12, 3, 3, { pads: [0, 2] }), lower(), 1);
    expect(opTypes(g)).toContain('Pad');
    const h = await expectPassKeepsOutputs(convGraph(2, 12, 3, 3, { pads: [2, 0] }), lower(), 1);
    expect(opTypes(h)).toContain('Pad');
  });

  it('a pointwise (k 1, stride 1) conv needs no Gather: a Reshape gives the rows', async () => {
    const g = await expectPassKeepsOutputs(convGraph(3, 6, 5, 1), lower(), 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Reshape', 'Gemm', 'Reshape', 'Transpose']);
  });

  it('a k 1 conv with stride 2 gathers; padded, it pads then reshapes (every padded step is an output)', async () => {
    expect(opTypes(await expectPassKeepsOutputs(convGraph(3, 6, 5, 1, { strides: 2 }), lower(), 1))).toContain('Gather');
    const g = await expectPassKeepsOutputs(convGraph(3, 6, 5, 1, { pads: [1, 1] }), lower(), 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Pad', 'Reshape', 'Gemm', 'Reshape', 'Transpose']);
  });

  it('lowers each conv of a chain, in place (topological order kept)', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 2, 20]);
      const a = conv1d(g, x, 3, 3, 1);
      const r = g.add('Relu', [a], g.shapeOf(a));
      markOutput(g, conv1d(g, r, 2, 3, 2));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, lower(), 2);
    expect(g.nodes.filter((n) => n.opType === 'Relu')).toHaveLength(1);
  });
});

describe('lowerSmallConvs: dense', () => {
  it('a conv barely longer than its kernel becomes Reshape -> Gemm -> Reshape -> Transpose', async () => {
    const g = await expectPassKeepsOutputs(convGraph(3, 4, 5, 3, { pads: [2, 2] }), lower(), 1);
    expect(opTypes(g)).toEqual(['Reshape', 'Gemm', 'Reshape', 'Transpose']);
    expect(g.nodes[0]!.inputs[0]).toBe('x');
    const h = await expectPassKeepsOutputs(convGraph(3, 4, 5, 3, { pads: [1, 0], strides: 2, bias: false }), lower(), 1);
    expect(h.nodes.find((n) => n.opType === 'Gemm')!.inputs).toHaveLength(2); // no zero bias
    await expectPassKeepsOutputs(convGraph(2, 5, 3, 2, { dilations: 2 }), lower(), 1);
  });

  it('behind a channels-last transpose (through Relu) the rows follow (time, channel)', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 4, 3]); // [N, T, C]
      const t = g.add('Transpose', [x], ['N', 3, 4], { perm: attr.ints([0, 2, 1]) });
      const r = g.add('Relu', [t], ['N', 3, 4]);
      markOutput(g, conv1d(g, r, 2, 3, 4, { pads: [1, 1] }));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, lower(), 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Relu', 'Transpose', 'Reshape', 'Gemm', 'Reshape', 'Transpose']);
  });

  // Every op the pass treats as layout-agnostic keeps the channels-last upstream visible through it.
  it.each([
    ...['Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'Softplus', 'Identity'].map((op) => [op, (g: Graph, t: string) => g.add(op, [t], ['N', 3, 4])] as const),
    ['BatchNormalization', (g: Graph, t: string) => batchNorm(g, t, 8)] as const,
    ['MaxPool', (g: Graph, t: string) => g.add('MaxPool', [t], ['N', 3, 4], { kernel_shape: attr.ints([1]) })] as const,
    ...['Add', 'Mul'].map((op) => [op, (g: Graph, t: string) => g.add(op, [t, g.floatConst('s', [3, 1], [0.5, 1, 1.5])], ['N', 3, 4])] as const),
  ])('sees the channels-last transpose through %s', async (op, through) => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 4, 3]);
      const t = g.add('Transpose', [x], ['N', 3, 4], { perm: attr.ints([0, 2, 1]) });
      markOutput(g, conv1d(g, through(g, t), 2, 3, 4, { pads: [1, 1] }));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, lower(), 1);
    expect(opTypes(g).slice(0, 3)).toEqual(['Transpose', op, 'Transpose']);
  });

  it('a per-channel shift Add(v, s[C, 1]) read only by the conv is folded into the dense bias', async () => {
    const build = (bias: boolean) => () => {
      const { g, x } = graphWithInput(['N', 3, 4]);
      const s = g.floatConst('s', [3, 1], [0.5, -1, 2]);
      const a = g.add('Add', [x, s], ['N', 3, 4]);
      markOutput(g, conv1d(g, a, 2, 3, 6, { pads: [1, 1], bias }));
      return g;
    };
    for (const bias of [true, false]) {
      const g = await expectPassKeepsOutputs(build(bias), lower(), 1);
      const reshape = g.nodes.find((n) => n.opType === 'Reshape')!;
      expect(reshape.inputs[0]).toBe('x'); // reads v, not v + s
      expect(g.nodes.find((n) => n.opType === 'Gemm')!.inputs).toHaveLength(3);
    }
  });

  it('keeps a shift Add that is read elsewhere, or is a graph output', async () => {
    const build = (mode: 'output' | 'twice') => () => {
      const { g, x } = graphWithInput(['N', 3, 4]);
      const a = g.add('Add', [x, g.floatConst('s', [3, 1], [0.5, -1, 2])], ['N', 3, 4]);
      markOutput(g, conv1d(g, a, 2, 3, 6, { pads: [1, 1] }));
      if (mode === 'output') markOutput(g, a);
      else markOutput(g, g.add('Relu', [a], ['N', 3, 4]));
      return g;
    };
    for (const mode of ['output', 'twice'] as const) {
      const g = await expectPassKeepsOutputs(build(mode), lower(), 1);
      expect(g.nodes.find((n) => n.opType === 'Reshape')!.inputs[0]).not.toBe('x');
    }
  });
});

describe('lowerSmallConvs: refusals', () => {
  it('leaves convs whose output is longer than maxLength (boundary included)', async () => {
    expectPassRefuses(convGraph(2, 12, 3, 3), lower(9)); // output length 10
    await expectPassKeepsOutputs(convGraph(2, 12, 3, 3), lower(10), 1);
    expectPassRefuses(convGraph(2, 4, 3, 3), lower(0));
  });

  it('leaves grouped, auto_pad, 2-D, dynamic-length and non-constant-weight convs', () => {
    expectPassRefuses(convGraph(4, 12, 4, 3, { group: 2 }), lower());
    expectPassRefuses(convGraph(2, 12, 3, 3, { extra: { auto_pad: attr.string('SAME_UPPER') } }), lower());
    expectPassRefuses(() => {
      const g = convGraph(2, 12, 3, 3)();
      g.nodes[0]!.attributes.kernel_shape = attr.ints([1, 3]);
      return g;
    }, lower());
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 2, 'T']);
      const w = g.floatConst('W', [3, 2, 3], new Float32Array(18));
      markOutput(g, g.add('Conv', [x, w], ['N', 3, 'T'], { kernel_shape: attr.ints([3]) }));
      return g;
    }, lower());
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 'C', 12]);
      const w = g.floatConst('W', [3, 2, 3], new Float32Array(18));
      markOutput(g, g.add('Conv', [x, w], ['N', 3, 10], { kernel_shape: attr.ints([3]) }));
      return g;
    }, lower());
    expectPassRefuses(() => {
      const g = convGraph(2, 12, 3, 3)();
      g.nodes[0]!.inputs[1] = g.addInput('w', [3, 2, 3]);
      return g;
    }, lower());
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 2, 12]);
      markOutput(g, g.add('Relu', [x], ['N', 2, 12]));
      return g;
    }, lower());
  });
});
