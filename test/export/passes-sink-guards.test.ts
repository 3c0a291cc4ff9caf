// sink-transposes.ts at the edges of what it promises (asked for by surviving mutants): every reduction
// and pooling form, operands that are other swaps or squares, readers it must not touch, and the counts.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../export/graph.js';
import { sinkTransposes } from '../../export/passes/sink-transposes.js';
import { attr, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

const SWAP = { perm: attr.ints([0, 2, 1]) };

/** x[batch, T=6, C=4] -> swap -> body (channels-first) -> swap back when `back` -> output. */
function sandwich(body: (g: Graph, y: string) => string, back = true, batch: string | number = 'N'): () => Graph {
  return () => {
    const { g, x } = graphWithInput([batch, 6, 4]);
    const y = g.add('Transpose', [x], [batch, 4, 6], SWAP);
    const z = body(g, y);
    const s = g.shapeOf(z);
    markOutput(g, back ? g.add('Transpose', [z], [s[0]!, s[2]!, s[1]!], SWAP) : z);
    return g;
  };
}

describe('sinkTransposes: every reduction and pool form', () => {
  it.each([
    ['ReduceMean', 2, 1],
    ['ReduceMax', 2, 1],
    ['ReduceMax', -2, 2],
  ] as const)('%s over axis %i (keepdims 0) reduces axis %i channels-last', async (op, axis, clAxis) => {
    const out = axis === 2 ? ['N', 4] : ['N', 6];
    const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add(op, [y], out, { axes: attr.ints([axis]), keepdims: attr.int(0) }), false), sinkTransposes, 1);
    expect(opTypes(g)).toEqual([op]);
    expect(g.nodes[0]!.inputs).toEqual(['x']);
    expect(g.nodes[0]!.attributes.axes).toEqual(attr.ints([clAxis]));
  });

  it('a ReduceSum (axes an input at opset 13+) and a reduction over the batch axis stay', () => {
    expectPassRefuses(sandwich((g, y) => g.add('ReduceSum', [y, g.int64Const('axes', [2])], ['N', 4], { keepdims: attr.int(0) }), false), sinkTransposes);
    // Channels-last, reducing the batch would leave [T, C] where the readers expect [C, T].
    for (const axis of [0, -3]) expectPassRefuses(sandwich((g, y) => g.add('ReduceMax', [y], [4, 6], { axes: attr.ints([axis]), keepdims: attr.int(0) }), false), sinkTransposes);
  });

  it('a max-pool without a strides attribute (stride 1) gathers overlapping windows', async () => {
    const pool = (g: Graph, y: string) => g.add('MaxPool', [y], ['N', 4, 4], { kernel_shape: attr.ints([3]) });
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
  });

  it('only an unpadded pool whose stride is its kernel and whose windows tile the input is a Reshape', async () => {
    const pool = (k: number, s: number, pads: [number, number], outT: number) => (g: Graph, y: string) =>
      g.add('MaxPool', [y], ['N', 4, outT], { kernel_shape: attr.ints([k]), strides: attr.ints([s]), pads: attr.ints(pads) });
    // Padded at the start only: 3 windows of 2 cover 6 = T positions, but shifted by one.
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(2, 2, [1, 0], 3)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
    // Kernel 3, stride 2: 2 windows of 3 = T, but they overlap.
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(3, 2, [0, 0], 2)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
  });

  it('a max-pool that also returns Indices stays', () => {
    expectPassRefuses(
      sandwich((g, y) => g.addMulti('MaxPool', [y], [['N', 4, 3], ['N', 4, 3]], { kernel_shape: attr.ints([2]), strides: attr.ints([2]) }, 'pool')[0]!),
      sinkTransposes,
    );
  });
});

describe('sinkTransposes: operands and readers', () => {
  it('a binary of two different swaps runs on both sources', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 6, 4]);
      const x2 = g.addInput('x2', ['N', 6, 4]);
      const y = g.add('Transpose', [x], ['N', 4, 6], SWAP);
      const y2 = g.add('Transpose', [x2], ['N', 4, 6], SWAP);
      markOutput(g, g.add('Transpose', [g.add('Add', [y, y2], ['N', 4, 6])], ['N', 6, 4], SWAP));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, sinkTransposes, 2);
    expect(opTypes(g)).toEqual(['Add', 'Identity']);
    expect(g.nodes[0]!.inputs).toEqual(['x', 'x2']);
  });

  it('a square swap added to its own swap back (x^T + x) keeps its outputs', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 4, 4]);
      const y = g.add('Transpose', [x], ['N', 4, 4], SWAP);
      markOutput(g, g.add('Add', [y, g.add('Transpose', [y], ['N', 4, 4], SWAP)], ['N', 4, 4]));
      return g;
    };
    // The first swap cannot move (its Transpose reader becomes an Identity, not a swap back); the second
    // sinks into the Add, which then reads x and y and is swapped back.
    const g = await expectPassKeepsOutputs(build, sinkTransposes, 1);
    expect(opTypes(g)).toEqual(['Transpose', 'Add', 'Transpose']);
    expect(g.nodes[1]!.inputs).toEqual(['x', g.nodes[0]!.outputs[0]]);
  });

  it('a binary reading a reduction of the swap (batch 1 broadcast) stays', () => {
    expectPassRefuses(
      sandwich((g, y) => g.add('Mul', [y, g.add('ReduceMean', [y], [1, 6], { axes: attr.ints([1]), keepdims: attr.int(0) })], [1, 4, 6]), true, 1),
      sinkTransposes,
    );
  });

  it('an Unsqueeze of a rank-3 value (a rank-4 product) stays', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput([1, 6, 4]);
      const other = g.addInput('other', [1, 4, 6]);
      const y = g.add('Transpose', [x], [1, 4, 6], SWAP);
      const u = g.add('Unsqueeze', [other, g.int64Const('axes', [2])], [1, 4, 1, 6]);
      markOutput(g, g.add('Add', [y, u], [1, 4, 4, 6]));
      return g;
    }, sinkTransposes);
  });

  it('an Unsqueeze of [N, C] over two axes (a rank-4 product) stays', () => {
    expectPassRefuses(
      sandwich((g, y) => {
        const se = g.add('ReduceMean', [y], [1, 4], { axes: attr.ints([2]), keepdims: attr.int(0) });
        return g.add('Mul', [y, g.add('Unsqueeze', [se, g.int64Const('axes', [2, 3])], [1, 4, 1, 1])], [1, 4, 4, 6]);
      }, false, 1),
      sinkTransposes,
    );
  });

  it('a reduction over two axes, and a non-Unsqueeze [N, C] operand (square, batch 1, so it broadcasts), stay', () => {
    expectPassRefuses(sandwich((g, y) => g.add('ReduceMean', [y], ['N'], { axes: attr.ints([1, 2]), keepdims: attr.int(0) }), false), sinkTransposes);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput([1, 4, 4]);
      const y = g.add('Transpose', [x], [1, 4, 4], SWAP);
      const se = g.add('ReduceMean', [y], [1, 4], { axes: attr.ints([2]), keepdims: attr.int(0) });
      const m = g.add('Mul', [se, g.int64Const('two', [2])], [1, 4]); // a constant [2] where an Unsqueeze has axes [2]
      markOutput(g, g.add('Add', [y, m], [1, 4, 4]));
      return g;
    }, sinkTransposes);
  });

  it('a constant [1, 1, T] (one value per time step, not per channel) stays', () => {
    expectPassRefuses(sandwich((g, y) => g.add('Mul', [y, g.floatConst('steps', [1, 1, 6], values(6, 3))], ['N', 4, 6])), sinkTransposes);
  });

  it('a Transpose reader with any other permutation composes with the swap', async () => {
    for (const [perm, shape] of [
      [[2, 0, 1], [6, 'N', 4]],
      [[0, 1, 2], ['N', 4, 6]],
    ] as const) {
      const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add('Transpose', [y], [...shape], { perm: attr.ints([...perm]) }), false), sinkTransposes, 1);
      expect(opTypes(g)).toEqual(['Transpose']);
      expect(g.nodes[0]!.attributes.perm).toEqual(attr.ints(perm.map((i) => [0, 2, 1][i]!)));
    }
  });
});

describe('sinkTransposes: what it leaves alone and what it counts', () => {
  it('a swap nobody reads is not counted as moved', () => {
    const { g, x } = graphWithInput(['N', 6, 4]);
    g.add('Transpose', [x], ['N', 4, 6], SWAP);
    markOutput(g, g.add('Relu', [x], ['N', 6, 4]));
    expect(sinkTransposes(g)).toBe(0);
    expect(opTypes(g)).toEqual(['Relu']);
  });

  it('the Identity naming one of two graph outputs stays', async () => {
    const build = () => {
      const g = sandwich((g, y) => g.add('Relu', [y], ['N', 4, 6]))();
      markOutput(g, g.add('Neg', [g.outputs[0]!.name], ['N', 6, 4]));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, sinkTransposes, 2);
    expect(opTypes(g)).toEqual(['Relu', 'Identity', 'Neg']);
  });

  it('a Reshape read by an activation and by something else is not hoisted over', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 6]);
      const r = g.add('Reshape', [x, g.int64Const('shape', [-1, 2, 3])], ['N', 2, 3]);
      markOutput(g, g.add('Relu', [r], ['N', 2, 3]));
      markOutput(g, g.add('Neg', [r], ['N', 2, 3]));
      return g;
    }, sinkTransposes);
  });
});
