// sink-transposes.ts on hand-built graphs: a (N,T,C)->(N,C,T) swap is pushed through every kind of
// reader it promises (activations, BatchNorm, reductions, max-pools, binaries) until it cancels, the
// outputs stay the same, and a swap with a reader it cannot rewrite stays where it is.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../export/graph.js';
import { sinkTransposes } from '../../export/passes/sink-transposes.js';
import { attr, batchNorm, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

const SWAP = { perm: attr.ints([0, 2, 1]) };

/** x[N, T=6, C=4] -> swap -> body (channels-first) -> swap back (when the body keeps rank 3) -> output. */
function sandwich(body: (g: Graph, y: string) => string, back = true): () => Graph {
  return () => {
    const { g, x } = graphWithInput(['N', 6, 4]);
    const y = g.add('Transpose', [x], ['N', 4, 6], SWAP);
    const z = body(g, y);
    const s = g.shapeOf(z);
    markOutput(g, back ? g.add('Transpose', [z], [s[0]!, s[2]!, s[1]!], SWAP) : z);
    return g;
  };
}

describe('sinkTransposes: readers it moves through', () => {
  it('cancels a swap against the swap back through unary activations', async () => {
    const g = await expectPassKeepsOutputs(
      sandwich((g, y) => g.add('LeakyRelu', [g.add('Relu', [y], ['N', 4, 6])], ['N', 4, 6], { alpha: attr.float(0.2) })),
      sinkTransposes,
      3, // through Relu, through LeakyRelu, into the swap back
    );
    expect(opTypes(g)).toEqual(['Relu', 'LeakyRelu', 'Identity']); // the Identity names the graph output
    expect(g.nodes[0]!.inputs).toEqual(['x']);
    expect(g.nodes[2]!.inputs).toEqual(g.nodes[1]!.outputs);
    expect(g.nodes[2]!.outputs).toEqual([g.outputs[0]!.name]);
  });

  // Each activation the pass promises, alone (attributes as ONNX requires none): swap, op, swap back -> no transpose.
  it.each(['Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Softsign', 'Identity', 'LeakyRelu'])('moves through %s', async (op) => {
    const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add(op, [y], ['N', 4, 6])), sinkTransposes, 2);
    expect(opTypes(g)).not.toContain('Transpose');
  });

  it.each(['Add', 'Mul', 'Sub', 'Div', 'Max', 'Min'])('moves %s with a per-channel constant through', async (op) => {
    const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add(op, [y, g.floatConst('col', [4, 1], values(4, 7, 0.5, 1.5))], ['N', 4, 6])), sinkTransposes, 2);
    expect(opTypes(g)).not.toContain('Transpose');
  });

  it('the Identity a cancelled pair leaves is dropped unless it names a graph output', async () => {
    const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add('Sigmoid', [y], ['N', 4, 6])), sinkTransposes, 2);
    expect(opTypes(g)).toEqual(['Sigmoid', 'Identity']);
    const build = () => {
      const h = sandwich((g, y) => g.add('Sigmoid', [y], ['N', 4, 6]))();
      const out = h.outputs.pop()!;
      markOutput(h, h.add('Neg', [out.name], out.shape));
      return h;
    };
    const h = await expectPassKeepsOutputs(build, sinkTransposes, 2);
    expect(opTypes(h)).toEqual(['Sigmoid', 'Neg']);
    expect(h.nodes[1]!.inputs).toEqual([h.nodes[0]!.outputs[0]]);
  });

  it('BatchNormalization becomes a channels-last Mul + Add (explicit and default epsilon)', async () => {
    for (const eps of [undefined, 0.1]) {
      const g = await expectPassKeepsOutputs(sandwich((g, y) => batchNorm(g, y, 3, -1, 1, eps)), sinkTransposes, 2);
      expect(opTypes(g)).toEqual(['Mul', 'Add', 'Identity']);
      expect(g.initializers.get(g.nodes[0]!.inputs[1]!)!.dims).toEqual([4]);
    }
  });

  it('a reduction over time (axis 2 or -1) reduces axis 1 channels-last', async () => {
    for (const axis of [2, -1, 1]) {
      const out = axis === 1 ? ['N', 6] : ['N', 4];
      const g = await expectPassKeepsOutputs(
        sandwich((g, y) => g.add('ReduceMean', [y], out, { axes: attr.ints([axis]), keepdims: attr.int(0) }), false),
        sinkTransposes,
        1,
      );
      expect(opTypes(g)).toEqual(['ReduceMean']);
      expect(g.nodes[0]!.attributes.axes).toEqual(attr.ints([axis === 1 ? 2 : 1]));
    }
  });

  it('a tiled max-pool becomes Reshape windows -> ReduceMax; an overlapping or padded one gathers', async () => {
    const pool = (k: number, s: number, pads: [number, number], outT: number) => (g: Graph, y: string) =>
      g.add('MaxPool', [y], ['N', 4, outT], { kernel_shape: attr.ints([k]), strides: attr.ints([s]), pads: attr.ints(pads) });
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(2, 2, [0, 0], 3)), sinkTransposes, 2))).toEqual(['Reshape', 'ReduceMax', 'Identity']);
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(3, 1, [0, 0], 4)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(3, 2, [1, 1], 3)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(2, 2, [1, 1], 4)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
    // Stride 2, kernel 2 but a length that is not a multiple: windows gathered.
    expect(opTypes(await expectPassKeepsOutputs(sandwich(pool(4, 4, [0, 0], 1)), sinkTransposes, 2))).toEqual(['Gather', 'ReduceMax', 'Identity']);
  });

  it('binary ops take a scalar, a per-channel [C, 1] constant, another swapped value, or an Unsqueeze(axis 2) of [N, C]', async () => {
    const g = await expectPassKeepsOutputs(
      sandwich((g, y) => {
        const a = g.add('Mul', [y, g.floatConst('scalar', [1], [1.5])], ['N', 4, 6]);
        const b = g.add('Add', [a, g.floatConst('col', [4, 1], values(4, 5))], ['N', 4, 6]);
        const se = g.add('ReduceMean', [y], ['N', 4], { axes: attr.ints([2]), keepdims: attr.int(0) });
        const u = g.add('Unsqueeze', [se, g.int64Const('axes', [2])], ['N', 4, 1]);
        return g.add('Sub', [b, u], ['N', 4, 6]);
      }),
      sinkTransposes,
      4,
    );
    expect(opTypes(g)).not.toContain('Transpose');
  });

  it('a binary of two readers of the same swap (x * sigmoid(x)) sinks both', async () => {
    const g = await expectPassKeepsOutputs(
      sandwich((g, y) => g.add('Mul', [y, g.add('Sigmoid', [y], ['N', 4, 6])], ['N', 4, 6])),
      sinkTransposes,
      2,
    );
    expect(opTypes(g)).toEqual(['Sigmoid', 'Mul', 'Identity']);
  });

  it('another Transpose reader composes with the swap', async () => {
    const g = await expectPassKeepsOutputs(sandwich((g, y) => g.add('Transpose', [y], ['N', 6, 4], { perm: attr.ints([0, 2, 1]) }), false), sinkTransposes, 1);
    expect(opTypes(g)).toEqual(['Identity']); // kept: its output is the graph output
    const h = await expectPassKeepsOutputs(sandwich((g, y) => g.add('Transpose', [y], [4, 'N', 6], { perm: attr.ints([1, 0, 2]) }), false), sinkTransposes, 1);
    expect(opTypes(h)).toEqual(['Transpose']);
    expect(h.nodes[0]!.attributes.perm).toEqual(attr.ints([2, 0, 1]));
  });

  it('Reshape -> activation is hoisted to activation -> Reshape', async () => {
    const build = () => {
      const { g, x } = graphWithInput(['N', 6]);
      const r = g.add('Reshape', [x, g.int64Const('shape', [-1, 2, 3])], ['N', 2, 3]);
      markOutput(g, g.add('Relu', [r], ['N', 2, 3]));
      return g;
    };
    const g = await expectPassKeepsOutputs(build, sinkTransposes, 1);
    expect(opTypes(g)).toEqual(['Relu', 'Reshape']);
  });
});

describe('sinkTransposes: refusals', () => {
  it('a swap read by a graph output, or by an op it cannot rewrite, stays', () => {
    expectPassRefuses(sandwich((_g, y) => y, false), sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('Softmax', [y], ['N', 4, 6], { axis: attr.int(1) })), sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('Conv', [y, g.floatConst('w', [4, 4, 1], values(16, 1))], ['N', 4, 6], { kernel_shape: attr.ints([1]) })), sinkTransposes);
  });

  it('reductions keeping dims or over two axes, and pools with ceil_mode, dilation, auto_pad or 2-D kernels stay', () => {
    expectPassRefuses(sandwich((g, y) => g.add('ReduceMax', [y], ['N', 4, 1], { axes: attr.ints([2]), keepdims: attr.int(1) })), sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('ReduceSum', [y], ['N', 4, 1], { axes: attr.ints([2]) })), sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('ReduceSum', [y], ['N'], { axes: attr.ints([1, 2]), keepdims: attr.int(0) }), false), sinkTransposes);
    const pool = (extra: Record<string, ReturnType<typeof attr.int>>) => sandwich((g, y) => g.add('MaxPool', [y], ['N', 4, 3], { kernel_shape: attr.ints([2]), strides: attr.ints([2]), ...extra }));
    expectPassRefuses(pool({ ceil_mode: attr.int(1) }), sinkTransposes);
    expectPassRefuses(pool({ dilations: attr.ints([2]) }), sinkTransposes);
    expectPassRefuses(pool({ auto_pad: attr.string('VALID') }), sinkTransposes);
    expectPassRefuses(pool({ kernel_shape: attr.ints([2, 1]) }), sinkTransposes);
    expectPassRefuses(pool({ strides: attr.ints([2, 1]) }), sinkTransposes);
  });

  it('a BN with a non-constant parameter, or a binary with a full-size or computed operand, stays', () => {
    expectPassRefuses(() => {
      const g = sandwich((g, y) => batchNorm(g, y, 3))();
      g.nodes[1]!.inputs[2] = g.addInput('beta_in', [4]);
      return g;
    }, sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('Add', [y, g.floatConst('full', [4, 6], values(24, 1))], ['N', 4, 6])), sinkTransposes);
    expectPassRefuses(sandwich((g, y) => g.add('Add', [y, g.floatConst('row', [1, 6], values(6, 1))], ['N', 4, 6])), sinkTransposes);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 6, 4]);
      const other = g.addInput('other', ['N', 4, 6]);
      const y = g.add('Transpose', [x], ['N', 4, 6], SWAP);
      markOutput(g, g.add('Transpose', [g.add('Add', [y, other], ['N', 4, 6])], ['N', 6, 4], SWAP));
      return g;
    }, sinkTransposes);
    expectPassRefuses(sandwich((g, y) => {
      const se = g.add('ReduceMean', [y], ['N', 4], { axes: attr.ints([2]), keepdims: attr.int(0) });
      return g.add('Sub', [y, g.add('Unsqueeze', [se, g.int64Const('axes', [1])], ['N', 1, 4])], ['N', 4, 6]);
    }), sinkTransposes);
  });

  it('a transpose that is not the (0, 2, 1) swap of a rank-3 tensor stays', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 6, 4]);
      const y = g.add('Transpose', [x], [6, 'N', 4], { perm: attr.ints([1, 0, 2]) });
      markOutput(g, g.add('Transpose', [g.add('Relu', [y], [6, 'N', 4])], ['N', 6, 4], { perm: attr.ints([1, 0, 2]) }));
      return g;
    }, sinkTransposes);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 2, 6, 4]);
      const y = g.add('Transpose', [x], ['N', 6, 2, 4], { perm: attr.ints([0, 2, 1, 3]) });
      markOutput(g, g.add('Relu', [y], ['N', 6, 2, 4]));
      return g;
    }, sinkTransposes);
  });
});
