// The folding passes on hand-built graphs: each fold keeps every output (onnxruntime-node before vs
// after) and removes the node it promises, and each guard refuses the graphs where folding would be wrong.
import { describe, expect, it } from 'vitest';
import { foldBatchNorm } from '../../export/passes/fold-batch-norm.js';
import { foldPositiveScaleIntoConv } from '../../export/passes/fold-scale-into-conv.js';
import { attr, batchNorm, conv1d, expectPassKeepsOutputs, expectPassRefuses, feedsFor, gemm, graphWithInput, markOutput, opTypes, runGraph, values } from './pass-graphs.js';

describe('foldBatchNorm', () => {
  const convBn = (opts: { epsilon?: number; bias?: boolean; group?: number } = {}) => () => {
    const { g, x } = graphWithInput(['N', 4, 9]);
    const c = conv1d(g, x, 6, 3, 1, { pads: [1, 1], bias: opts.bias, group: opts.group });
    g.nodes.at(-1)!.docString = 'conv1d';
    const y = batchNorm(g, c, 10, -1.5, 1.5, opts.epsilon);
    markOutput(g, y);
    return g;
  };

  it('folds Conv -> BatchNormalization into the Conv (default epsilon)', async () => {
    const g = await expectPassKeepsOutputs(convBn(), foldBatchNorm, 1);
    expect(opTypes(g)).toEqual(['Conv']);
    expect(g.nodes[0]!.outputs).toEqual([g.outputs[0]!.name]);
    expect(g.nodes[0]!.docString).toBe('conv1d + BatchNormalization (folded)');
  });

  it('folds with an explicit epsilon, a bias-free conv and a grouped conv', async () => {
    await expectPassKeepsOutputs(convBn({ epsilon: 0.5 }), foldBatchNorm, 1);
    await expectPassKeepsOutputs(convBn({ bias: false }), foldBatchNorm, 1);
    await expectPassKeepsOutputs(convBn({ group: 2 }), foldBatchNorm, 1);
  });

  const gemmBn = (attributes?: Record<string, ReturnType<typeof attr.int>>, bias?: boolean) => () => {
    const { g, x } = graphWithInput(['N', 5]);
    const y = gemm(g, x, 3, 2, { attributes, bias });
    const z = batchNorm(g, y, 20, -1.5, 1.5, 0.01);
    g.nodes.at(-1)!.docString = 'bn';
    markOutput(g, z);
    return g;
  };

  it('folds Gemm -> BatchNormalization into the Gemm (B is [K, M]: output channel fastest)', async () => {
    const g = await expectPassKeepsOutputs(gemmBn(), foldBatchNorm, 1);
    expect(opTypes(g)).toEqual(['Gemm']);
    expect(g.nodes[0]!.docString).toBe(' + bn (folded)');
    await expectPassKeepsOutputs(gemmBn(undefined, false), foldBatchNorm, 1);
    await expectPassKeepsOutputs(gemmBn({ alpha: attr.float(1), beta: attr.float(1) }), foldBatchNorm, 1);
  });

  it.each([
    ['transA', { transA: attr.int(1) }],
    ['transB', { transB: attr.int(1) }],
    ['alpha', { alpha: attr.float(2) }],
    ['beta', { beta: attr.float(0.5) }],
  ])('leaves a Gemm with %s alone', (_name, attributes) => {
    expectPassRefuses(gemmBn(attributes), foldBatchNorm);
  });

  it('leaves a BatchNormalization whose input is read elsewhere too, or comes from another op', () => {
    expectPassRefuses(() => {
      const g = convBn()();
      markOutput(g, g.nodes[0]!.outputs[0]!); // the unnormalised conv output is a graph output too
      return g;
    }, foldBatchNorm);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 4, 9]);
      const r = g.add('Relu', [conv1d(g, x, 4, 1, 3)], ['N', 4, 9]);
      markOutput(g, batchNorm(g, r, 4));
      return g;
    }, foldBatchNorm);
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 4, 9]);
      markOutput(g, batchNorm(g, x, 4)); // reads a graph input: no producer
      return g;
    }, foldBatchNorm);
    expectPassRefuses(() => {
      const g = convBn()();
      g.nodes[1]!.outputs.push('running_mean', 'running_var'); // training mode: its statistics are outputs too
      return g;
    }, foldBatchNorm);
  });

  it('leaves it when a BN parameter or the weight is not a constant', () => {
    for (const which of [1, 2, 3, 4]) {
      expectPassRefuses(() => {
        const g = convBn()();
        const bn = g.nodes.find((n) => n.opType === 'BatchNormalization')!;
        bn.inputs[which] = g.addInput(`p${which}`, [6]);
        return g;
      }, foldBatchNorm);
    }
    expectPassRefuses(() => {
      const g = convBn()();
      g.nodes[0]!.inputs[1] = g.addInput('w', [6, 4, 3]);
      return g;
    }, foldBatchNorm);
  });

  it('leaves a BN behind anything but Conv or Gemm (a MatMul has no bias input to take the shift)', () => {
    expectPassRefuses(() => {
      const { g, x } = graphWithInput(['N', 5]);
      const y = g.add('MatMul', [x, g.floatConst('Wm', [5, 3], values(15, 4))], ['N', 3]);
      markOutput(g, batchNorm(g, y, 21));
      return g;
    }, foldBatchNorm);
  });

  it('leaves a Gemm whose output width differs from the BN channel count', () => {
    expectPassRefuses(() => {
      const g = gemmBn()();
      const bn = g.nodes[1]!;
      bn.inputs = [bn.inputs[0]!, ...[1, 2, 3, 4].map((i) => g.floatConst(`p${i}`, [2], [1, 0.5]))];
      return g;
    }, foldBatchNorm);
  });
});

describe('foldPositiveScaleIntoConv', () => {
  const convReluBn = (opts: { gammaLo?: number; pool?: 'sole' | 'shared' | 'none'; epsilon?: number; bias?: boolean } = {}) => () => {
    const { g, x } = graphWithInput(['N', 3, 12]);
    const c = conv1d(g, x, 4, 3, 5, { pads: [1, 1], bias: opts.bias });
    const r = g.add('Relu', [c], g.shapeOf(c));
    const b = batchNorm(g, r, 30, opts.gammaLo ?? 0.2, 1.5, opts.epsilon);
    if ((opts.pool ?? 'none') === 'none') {
      markOutput(g, b);
      return g;
    }
    const p = g.add('MaxPool', [b], ['N', 4, 4], { kernel_shape: attr.ints([3]), strides: attr.ints([3]) }, 'pool');
    markOutput(g, p);
    if (opts.pool === 'shared') markOutput(g, b);
    return g;
  };

  it('moves a positive BN scale into the conv and keeps the shift as an Add [C, 1]', async () => {
    const g = await expectPassKeepsOutputs(convReluBn(), foldPositiveScaleIntoConv, 1);
    expect(opTypes(g)).toEqual(['Conv', 'Relu', 'Add']);
    expect(g.initializers.get(g.nodes[2]!.inputs[1]!)!.dims).toEqual([4, 1]);
    expect(g.nodes[2]!.attributes).toEqual({});
    await expectPassKeepsOutputs(convReluBn({ epsilon: 0.25, bias: false }), foldPositiveScaleIntoConv, 1);
  });

  it('adds the shift after a MaxPool that is the only reader (a third of the elements)', async () => {
    const g = await expectPassKeepsOutputs(convReluBn({ pool: 'sole' }), foldPositiveScaleIntoConv, 1);
    expect(opTypes(g)).toEqual(['Conv', 'Relu', 'MaxPool', 'Add']);
    expect(g.nodes[2]!.inputs).toEqual([g.nodes[1]!.outputs[0]]);
    expect(g.nodes[3]!.outputs).toEqual([g.outputs[0]!.name]);
    expect(g.shapeOf(g.nodes[2]!.outputs[0]!)).toEqual(['N', 4, 4]);
  });

  it('keeps the shift before a MaxPool whose input is read elsewhere too', async () => {
    const g = await expectPassKeepsOutputs(convReluBn({ pool: 'shared' }), foldPositiveScaleIntoConv, 1);
    expect(opTypes(g)).toEqual(['Conv', 'Relu', 'Add', 'MaxPool']);
  });

  it('leaves a BN with a non-positive scale, or not behind Conv -> Relu', () => {
    expectPassRefuses(convReluBn({ gammaLo: -1 }), foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      const g = convReluBn()();
      const gamma = g.initializers.get(g.nodes[2]!.inputs[1]!)!;
      (gamma.data as Float32Array)[0] = 0;
      return g;
    }, foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      const g = convReluBn()();
      g.nodes[1]!.opType = 'Sigmoid';
      return g;
    }, foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      // Gemm B [K, M] with K = M: its output channel is B's fastest axis, not the first as in a Conv weight.
      const { g, x } = graphWithInput(['N', 3]);
      const r = g.add('Relu', [gemm(g, x, 3, 6)], ['N', 3]);
      markOutput(g, batchNorm(g, r, 22));
      return g;
    }, foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      const g = convReluBn()();
      markOutput(g, g.nodes[1]!.outputs[0]!); // Relu read twice
      return g;
    }, foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      const g = convReluBn()();
      markOutput(g, g.nodes[0]!.outputs[0]!); // Conv read twice
      return g;
    }, foldPositiveScaleIntoConv);
  });

  it('leaves a training-mode BN (statistics outputs); keeps the shift before a MaxPool that returns Indices', async () => {
    expectPassRefuses(() => {
      const g = convReluBn()();
      g.nodes[2]!.outputs.push('running_mean', 'running_var');
      return g;
    }, foldPositiveScaleIntoConv);
    const build = () => {
      const g = convReluBn()();
      const [y, indices] = g.addMulti('MaxPool', [g.outputs.pop()!.name], [['N', 4, 4], ['N', 4, 4]], { kernel_shape: attr.ints([3]), strides: attr.ints([3]) }, 'pool');
      markOutput(g, y!);
      markOutput(g, g.add('Cast', [indices!], ['N', 4, 4], { to: attr.int(1) }));
      return g;
    };
    // (Compared by hand: the shape probe of expectPassKeepsOutputs would type the int64 Indices as float.)
    const [before, after] = [build(), build()];
    expect(foldPositiveScaleIntoConv(after)).toBe(1);
    expect(opTypes(after)).toEqual(['Conv', 'Relu', 'Add', 'MaxPool', 'Cast']);
    const feeds = feedsFor(before);
    const [want, got] = [await runGraph(before, feeds), await runGraph(after, feeds)];
    got.forEach((o, i) => o.data.forEach((v, j) => expect(Math.abs(v - want[i]!.data[j]!)).toBeLessThanOrEqual(1e-5)));
  });

  it('leaves it when a parameter is not constant or the channel counts disagree', () => {
    for (const which of [1, 2, 3, 4]) {
      expectPassRefuses(() => {
        const g = convReluBn()();
        g.nodes[2]!.inputs[which] = g.addInput(`p${which}`, [4]);
        return g;
      }, foldPositiveScaleIntoConv);
    }
    expectPassRefuses(() => {
      const g = convReluBn()();
      g.nodes[0]!.inputs[1] = g.addInput('w', [4, 3, 3]);
      return g;
    }, foldPositiveScaleIntoConv);
    expectPassRefuses(() => {
      const g = convReluBn()();
      const bn = g.nodes[2]!;
      bn.inputs = [bn.inputs[0]!, ...[1, 2, 3, 4].map((i) => g.floatConst(`p${i}`, [2], [1, 1]))];
      return g;
    }, foldPositiveScaleIntoConv);
  });
});
