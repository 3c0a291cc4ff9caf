// The passes' shared graph edits (constant lookup, sole consumer, per-channel shift, dead-node removal,
// in-place replacement, reshape merging) and optimizeGraph's pass order and liftConvs switch.
import { describe, expect, it } from 'vitest';
import { addedChannelColumn, constant, intsAttr, mergeReshapes, removeDeadNodes, replaceNode, soleConsumer } from '../../export/passes/graph-edit.js';
import { optimizeGraph } from '../../export/passes/index.js';
import { attr, conv1d, expectPassKeepsOutputs, expectPassRefuses, graphWithInput, markOutput, opTypes, values } from './pass-graphs.js';

describe('graph-edit helpers', () => {
  it('constant: the float data of an initializer, nothing for other names or int64 data', () => {
    const { g } = graphWithInput(['N', 2]);
    const f = g.floatConst('f', [2], [1, 2]);
    const i = g.int64Const('i', [1, 2]);
    expect(Array.from(constant(g, f)!)).toEqual([1, 2]);
    expect(constant(g, i)).toBeUndefined();
    expect(constant(g, 'x')).toBeUndefined();
    expect(constant(g, undefined)).toBeUndefined();
  });

  it('soleConsumer: the one reader (a graph output counts), or nothing for none or two', () => {
    const { g, x } = graphWithInput(['N', 2]);
    const a = g.add('Relu', [x], ['N', 2]);
    expect(soleConsumer(g, x)!.opType).toBe('Relu');
    expect(soleConsumer(g, a)).toBeUndefined();
    markOutput(g, a);
    expect(soleConsumer(g, a)!.opType).toBe('<output>'); // the graph output counts as a reader
    g.add('Neg', [x], ['N', 2]);
    expect(soleConsumer(g, x)).toBeUndefined();
  });

  it('addedChannelColumn: t of Add(x[N, C, T], t[C, 1]) only', () => {
    const { g, x } = graphWithInput(['N', 3, 5]);
    const add = (t: string, inputs = [x, t]) => {
      g.add('Add', inputs, ['N', 3, 5]);
      return g.nodes.at(-1)!;
    };
    expect(Array.from(addedChannelColumn(g, add(g.floatConst('t', [3, 1], [1, 2, 3])))!)).toEqual([1, 2, 3]);
    expect(addedChannelColumn(g, add(g.floatConst('row', [1, 3], [1, 2, 3])))).toBeUndefined();
    expect(addedChannelColumn(g, add(g.floatConst('short', [2, 1], [1, 2])))).toBeUndefined();
    expect(addedChannelColumn(g, add(g.floatConst('flat', [3], [1, 2, 3])))).toBeUndefined();
    expect(addedChannelColumn(g, add(g.floatConst('wide', [3, 2], [1, 2, 3, 4, 5, 6])))).toBeUndefined();
    expect(addedChannelColumn(g, add(g.floatConst('cube', [3, 1, 1], [1, 2, 3])))).toBeUndefined();
    const col = g.floatConst('col', [3, 1], [1, 2, 3]);
    expect(addedChannelColumn(g, add(col, [x, col, col]))).toBeUndefined();
    const mul = add(col);
    mul.opType = 'Mul';
    expect(addedChannelColumn(g, mul)).toBeUndefined();
    expect(addedChannelColumn(g, add(x, [x, g.addInput('y', [3, 1])]))).toBeUndefined();
  });

  it('intsAttr: the ints value, else the fallback (also for an attribute of another type)', () => {
    const node = { name: 'n', opType: 'Conv', inputs: [], outputs: [], attributes: { strides: attr.ints([2]), group: attr.int(1) } };
    expect(intsAttr(node, 'strides', [1])).toEqual([2]);
    expect(intsAttr(node, 'group', [7])).toEqual([7]);
    expect(intsAttr(node, 'pads', [0, 0])).toEqual([0, 0]);
  });

  it('removeDeadNodes: chains nobody reads go (repeatedly), and so do unread initializers', () => {
    const { g, x } = graphWithInput(['N', 2]);
    const kept = g.add('Relu', [x], ['N', 2]);
    markOutput(g, kept);
    const dead1 = g.add('Mul', [x, g.floatConst('unused_scale', [2], [1, 2])], ['N', 2]);
    g.add('Neg', [dead1], ['N', 2]);
    const used = g.floatConst('used', [2], [1, 1]);
    g.nodes[0]!.inputs.push(used);
    expect(removeDeadNodes(g)).toBe(2);
    expect(opTypes(g)).toEqual(['Relu']);
    expect([...g.initializers.keys()]).toEqual(['used']);
    expect(removeDeadNodes(g)).toBe(0);
  });

  it('removeDeadNodes keeps a node one of whose outputs is read, and drops one whose only outputs are skipped', () => {
    const { g, x } = graphWithInput(['N', 2]);
    const [a] = g.addMulti('Split', [x], [['N', 1], ['N', 1]], {}, 'split');
    markOutput(g, a!);
    g.addMulti('Dropout', [x], [null, ['N', 2]], {}, 'drop');
    g.nodes.at(-1)!.outputs = ['', ''];
    expect(removeDeadNodes(g)).toBe(1);
    expect(opTypes(g)).toEqual(['Split']);
  });

  it("replaceNode: the built nodes take the replaced node's place", () => {
    const { g, x } = graphWithInput(['N', 2]);
    const a = g.add('Relu', [x], ['N', 2]);
    const b = g.add('Neg', [a], ['N', 2]);
    markOutput(g, g.add('Abs', [b], ['N', 2]));
    replaceNode(g, g.nodes[1]!, () => {
      const m = g.add('Mul', [a, g.floatConst('minus', [1], [-1])], ['N', 2]);
      g.nodes.push({ name: 'id', opType: 'Identity', inputs: [m], outputs: [b], attributes: {} });
    });
    expect(opTypes(g)).toEqual(['Relu', 'Mul', 'Identity', 'Abs']);
  });
});

describe('mergeReshapes', () => {
  const twoReshapes = (outer: number[], opts: { shared?: boolean; innerOp?: string } = {}) => () => {
    const { g, x } = graphWithInput(['N', 6]);
    const inner = g.add(opts.innerOp ?? 'Reshape', opts.innerOp ? [x] : [x, g.int64Const('inner', [-1, 2, 3])], opts.innerOp ? ['N', 6] : ['N', 2, 3]);
    markOutput(g, g.add('Reshape', [inner, g.int64Const('outer', outer)], ['N', 3, 2]));
    if (opts.shared) markOutput(g, inner);
    return g;
  };

  it('Reshape(Reshape(x, a), b) -> Reshape(x, b)', async () => {
    const g = await expectPassKeepsOutputs(twoReshapes([-1, 3, 2]), mergeReshapes, 1);
    expect(opTypes(g)).toEqual(['Reshape']);
    expect(g.nodes[0]!.inputs[0]).toBe('x');
  });

  it('keeps both when b copies a dim (0), the inner result is read elsewhere, or the inner op is not a Reshape', () => {
    expectPassRefuses(twoReshapes([0, 3, 2]), mergeReshapes);
    expectPassRefuses(twoReshapes([-1, 3, 2], { shared: true }), mergeReshapes);
    expectPassRefuses(twoReshapes([-1, 3, 2], { innerOp: 'Relu' }), mergeReshapes);
    expectPassRefuses(() => {
      const g = twoReshapes([-1, 3, 2])();
      g.nodes[1]!.inputs[1] = g.addInput('shape', [3]);
      return g;
    }, mergeReshapes);
    expectPassRefuses(() => {
      // The outer op is an Unsqueeze: its second input (axes) is an int64 constant too, but not a shape.
      const { g, x } = graphWithInput(['N', 6]);
      const inner = g.add('Reshape', [x, g.int64Const('inner', [-1, 2, 3])], ['N', 2, 3]);
      markOutput(g, g.add('Unsqueeze', [inner, g.int64Const('axes', [1])], ['N', 1, 2, 3]));
      return g;
    }, mergeReshapes);
  });
});

describe('optimizeGraph', () => {
  const convRelu = () => {
    const { g, x } = graphWithInput(['N', 2, 40]);
    const c = conv1d(g, x, 3, 3, 1);
    markOutput(g, g.add('Relu', [c], g.shapeOf(c)));
    return g;
  };

  it('reports every pass in its order, with the changes each made', () => {
    const g = convRelu();
    const report = optimizeGraph(g);
    expect(report.map((r) => r.name)).toEqual([
      'foldBatchNorm',
      'foldPositiveScaleIntoConv',
      'lowerSmallConvs',
      'sinkTransposes',
      'foldPositiveScaleIntoGemm',
      'moveShiftPastMaxPool',
      'mergeReshapes',
      'liftConvsTo2d',
      'foldTransposeIntoGemm',
      'unitTransposesToReshapes',
      'removeDeadNodes',
    ]);
    expect(report.find((r) => r.name === 'liftConvsTo2d')!.changes).toBe(1); // output length 38 > 8: not lowered, lifted
    expect(report.find((r) => r.name === 'lowerSmallConvs')!.changes).toBe(0);
  });

  it('liftConvs: false keeps the 1-D conv; maxLoweredConvLength lowers it instead', async () => {
    const g = await expectPassKeepsOutputs(convRelu, (h) => optimizeGraph(h, { liftConvs: false }).reduce((a, r) => a + r.changes, 0), 0);
    expect(opTypes(g)).toEqual(['Conv', 'Relu']);
    const lowered = convRelu();
    expect(optimizeGraph(lowered, { maxLoweredConvLength: 64 }).find((r) => r.name === 'lowerSmallConvs')!.changes).toBe(1);
    expect(opTypes(lowered)).not.toContain('Conv');
    const byDefault = convRelu();
    optimizeGraph(byDefault, {});
    expect(opTypes(byDefault)).toContain('Conv');
  });

  it('the default lowers a conv with output length 8 (DEFAULT_MAX_LOWERED_CONV_LENGTH)', () => {
    const { g, x } = graphWithInput(['N', 2, 10]);
    markOutput(g, conv1d(g, x, 3, 3, 1));
    expect(optimizeGraph(g).find((r) => r.name === 'lowerSmallConvs')!.changes).toBe(1);
    expect(values(1, 1)).toHaveLength(1);
  });
});
