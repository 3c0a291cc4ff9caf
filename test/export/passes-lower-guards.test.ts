// lower-small-conv.ts at the edges of what it promises (asked for by surviving mutants): convs with the
// default stride and dilation, the layout its dense rows follow upstream, and ops that only look like a Conv.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../export/graph.js';
import { lowerSmallConvs } from '../../export/passes/lower-small-conv.js';
import { attr, conv1d, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

const lower = (g: Graph) => lowerSmallConvs(g, 64);
const SWAP = { perm: attr.ints([0, 2, 1]) };

describe('lowerSmallConvs: attributes left at their defaults', () => {
  it.each([
    ['im2col', 12, ['Transpose', 'Gather', 'Reshape', 'Gemm', 'Reshape', 'Transpose']],
    ['dense', 4, ['Reshape', 'Gemm', 'Reshape', 'Transpose']],
  ] as const)('a conv with no strides or dilations attribute (both 1) lowers %s', async (_kind, length, ops) => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 2, length]);
      const w = g.floatConst('W', [3, 2, 3], values(18, 5));
      markOutput(g, g.add('Conv', [x, w], ['N', 3, length - 2], { kernel_shape: attr.ints([3]) }, 'conv'));
      return g;
    };
    expect(opTypes(await expectPassKeepsOutputs(build, lower, 1))).toEqual([...ops]);
  });
});

describe('lowerSmallConvs: the dense rows follow the layout upstream', () => {
  /** x[N, T=4, C=3] -> swap -> through -> dense conv (length 4, k 3): the lowered ops after `through`. */
  function denseBehind(through: (g: Graph, t: string) => string): () => Graph {
    return () => {
      const { g, x } = graphWithInput(['N', 4, 3]);
      const t = g.add('Transpose', [x], ['N', 3, 4], SWAP);
      markOutput(g, conv1d(g, through(g, t), 2, 3, 4, { pads: [1, 1] }));
      return g;
    };
  }
  const CHANNELS_LAST = ['Transpose', 'Reshape', 'Gemm', 'Reshape', 'Transpose'];
  const CHANNELS_FIRST = ['Reshape', 'Gemm', 'Reshape', 'Transpose'];

  it.each([
    ['a pooling MaxPool (k 2, s 2, pads 1)', (g: Graph, t: string) => g.add('MaxPool', [t], ['N', 3, 3], { kernel_shape: attr.ints([2]), strides: attr.ints([2]), pads: attr.ints([1, 1]) })],
    ['an Add whose first operand is the constant', (g: Graph, t: string) => g.add('Add', [g.floatConst('s', [3, 1], [0.5, 1, 1.5]), t], ['N', 3, 4])],
  ])('channels-last through %s', async (_what, through) => {
    const g = await expectPassKeepsOutputs(denseBehind(through), lower, 1);
    expect(opTypes(g).slice(2)).toEqual(CHANNELS_LAST);
  });

  it.each([
    ['a Softmax (not layout-agnostic)', (g: Graph, t: string) => g.add('Softmax', [t], ['N', 3, 4], { axis: attr.int(1) })],
    ['a Transpose that is not the swap', (g: Graph, t: string) => g.add('Transpose', [t], ['N', 3, 4], { perm: attr.ints([0, 1, 2]) })],
  ])('channels-first behind %s', async (_what, through) => {
    const g = await expectPassKeepsOutputs(denseBehind(through), lower, 1);
    expect(opTypes(g).slice(2)).toEqual(CHANNELS_FIRST);
  });
});

describe('lowerSmallConvs: what only looks like a Conv', () => {
  it('a 1-D ConvTranspose (kernel_shape [k], constant weight) stays', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 2, 4]);
      const w = g.floatConst('W', [2, 3, 3], values(18, 2));
      markOutput(g, g.add('ConvTranspose', [x, w], ['N', 3, 6], { kernel_shape: attr.ints([3]) }));
      return g;
    }, lower);
  });
});
